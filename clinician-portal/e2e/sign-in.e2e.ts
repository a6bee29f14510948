import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, PHONE, screenshot, withPage, type Viewport } from './support/browser';
import { signInOnLoginPage } from './support/login-page';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';

describe('clinician portal: sign-in (SMART App Launch standalone, PKCE S256) and home', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let doctor: Account;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'server.log'));
      browser = await launchChromium();
      doctor = await server.registerVerified({ role: 'doctor', givenName: 'Gregory', familyName: 'House' });
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens the portal, goes through the server's sign-in page and lands on the home page. */
  async function signIn(page: Page, account: Account, viewport: Viewport, who: string): Promise<void> {
    await page.goto(`${server.url}/clinician/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/clinician/sign-in');
    await screenshot(page, `clinician-sign-in-${viewport.name}`);
    await expectAccessible(page, 'the sign-in page');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
    const authorize = new URL(page.url()).searchParams;
    assert.equal(authorize.get('client_id'), 'clinician-portal');
    assert.equal(authorize.get('code_challenge_method'), 'S256');
    assert.equal(authorize.get('redirect_uri'), `${server.url}/clinician/callback`);
    assert.equal(authorize.get('aud'), `${server.url}/fhir`);
    await screenshot(page, `clinician-login-page-${who}-${viewport.name}`);
    await signInOnLoginPage(page, account);
    await page.waitForURL(`${server.url}/clinician/home`);
  }

  for (const viewport of [DESKTOP, PHONE]) {
    it(
      `a doctor signs in, sees their name and the pending verification, survives a reload and signs out (${viewport.name})`,
      { timeout: 120_000 },
      () =>
        withPage(browser, viewport, `clinician-doctor-${viewport.name}`, async (page) => {
          await signIn(page, doctor, viewport, 'doctor');
          const heading = page.getByRole('heading', { name: 'Welcome, Gregory House' });
          await heading.waitFor();
          await page.getByText('pending verification').waitFor();
          await screenshot(page, `clinician-home-doctor-${viewport.name}`);
          await expectAccessible(page, "the doctor's home page");

          if (viewport === PHONE) {
            await page.getByRole('button', { name: 'Open the menu' }).click();
            await page.getByRole('link', { name: 'Home' }).waitFor();
            await screenshot(page, `clinician-menu-${viewport.name}`);
            await expectAccessible(page, 'the open menu');
            await page.keyboard.press('Escape');
          }

          await page.reload();
          await heading.waitFor();

          await page.getByRole('button', { name: 'Sign out' }).click();
          await page.waitForURL((url) => url.pathname === '/clinician/sign-in');
        }),
    );
  }

  it('an administrator signs in and sees the administration home (desktop)', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-admin-desktop', async (page) => {
      await signIn(page, server.admin, DESKTOP, 'admin');
      await page.getByRole('heading', { name: 'Administration' }).waitFor();
      await screenshot(page, 'clinician-home-admin-desktop');
      await expectAccessible(page, "the administrator's home page");
    }),
  );
});
