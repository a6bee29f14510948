import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, PHONE, screenshot, withPage } from './support/browser';
import { signInOnLoginPage } from './support/login-page';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';

describe('patient portal: sign-in (SMART App Launch standalone, PKCE S256) and home', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let patient: Account;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'server.log'));
      browser = await launchChromium();
      patient = await server.registerVerified({ role: 'patient', givenName: 'Maria', familyName: 'Garcia' });
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const viewport of [DESKTOP, PHONE]) {
    it(
      `signs in through the login page, sees the home page, survives a reload and signs out (${viewport.name})`,
      { timeout: 120_000 },
      () =>
        withPage(browser, viewport, `patient-sign-in-${viewport.name}`, async (page) => {
          await page.goto(`${server.url}/patient/`);
          await page.getByRole('button', { name: 'Sign in' }).waitFor();
          assert.equal(new URL(page.url()).pathname, '/patient/sign-in');
          await screenshot(page, `patient-sign-in-${viewport.name}`);
          await expectAccessible(page, 'the sign-in page');

          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
          const authorize = new URL(page.url()).searchParams;
          assert.equal(authorize.get('client_id'), 'patient-portal');
          assert.equal(authorize.get('code_challenge_method'), 'S256');
          assert.equal(authorize.get('redirect_uri'), `${server.url}/patient/callback`);
          assert.equal(authorize.get('aud'), `${server.url}/fhir`);
          await screenshot(page, `patient-login-page-${viewport.name}`);

          await signInOnLoginPage(page, patient);
          await page.waitForURL(`${server.url}/patient/home`);
          const heading = page.getByRole('heading', { name: 'Welcome, Maria Garcia' });
          await heading.waitFor();
          await screenshot(page, `patient-home-${viewport.name}`);
          await expectAccessible(page, 'the home page');

          if (viewport === PHONE) {
            // On a phone the navigation is a drawer behind the menu button.
            await page.getByRole('button', { name: 'Open the menu' }).click();
            await page.getByRole('link', { name: 'Home' }).waitFor();
            await screenshot(page, `patient-menu-${viewport.name}`);
            await expectAccessible(page, 'the open menu');
            await page.keyboard.press('Escape');
          } else {
            await page.getByRole('link', { name: 'Home' }).waitFor();
          }

          // A reload keeps the session: the refresh token in sessionStorage gets new tokens;
          // the access token itself is never stored.
          await page.reload();
          await heading.waitFor();
          assert.equal(await page.evaluate(() => Object.values(sessionStorage).some((value) => value.split('.').length === 3)), false);

          await page.getByRole('button', { name: 'Sign out' }).click();
          await page.waitForURL((url) => url.pathname === '/patient/sign-in');
          await page.goto(`${server.url}/patient/home`);
          await page.waitForURL((url) => url.pathname === '/patient/sign-in');
        }),
    );
  }
});
