import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, screenshot, withPage } from './support/browser';
import { signInOnLoginPage } from './support/login-page';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';

describe('clinician portal: administrators manage user accounts', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let doctor: Account;
  const unconfirmed = `late-${Date.now()}@medbuddy.test`;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'server-users.log'));
      browser = await launchChromium();
      doctor = await server.registerVerified({ role: 'doctor', givenName: 'Robert', familyName: 'Chase' });
      const registered = await fetch(`${server.url}/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: unconfirmed, password: 'correct horse battery staple', role: 'doctor', familyName: 'Late' }),
      });
      assert.equal(registered.status, 202);
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function login(account: Account): Promise<number> {
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(account),
    });
    return response.status;
  }

  async function find(page: Page, email: string): Promise<void> {
    await page.getByRole('textbox', { name: 'E-mail contains' }).fill(email);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.locator('table.users tbody tr', { hasText: email }).waitFor();
  }

  it('disables and re-enables a doctor, and resends a verification e-mail', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-admin-users', async (page) => {
      await page.goto(`${server.url}/clinician/`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
      await signInOnLoginPage(page, server.admin);
      await page.waitForURL(`${server.url}/clinician/home`);
      await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Users' }).click();
      await page.waitForURL(`${server.url}/clinician/admin/users`);

      await find(page, doctor.email);
      await screenshot(page, 'clinician-admin-users-desktop');
      await expectAccessible(page, 'the users page');
      await page.getByRole('button', { name: `Disable ${doctor.email}` }).click();
      await page.getByRole('status').filter({ hasText: 'Account disabled.' }).waitFor();
      assert.equal(await login(doctor), 403, 'a disabled doctor cannot sign in');
      await page.getByRole('button', { name: `Enable ${doctor.email}` }).click();
      await page.getByRole('status').filter({ hasText: 'Account enabled.' }).waitFor();
      assert.equal(await login(doctor), 200, 'the re-enabled doctor signs in again');

      await find(page, unconfirmed);
      await page.getByRole('button', { name: `Resend verification to ${unconfirmed}` }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Verification e-mail sent to ${unconfirmed}` })
        .waitFor();
      const confirmed = await fetch(await server.emailLink(unconfirmed, '/auth/verify-email'));
      assert.equal(confirmed.status, 200, 'the resent link confirms the address');
    }),
  );

  it('refuses a doctor the users page and the accounts API', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-admin-users-refused', async (page) => {
      await page.goto(`${server.url}/clinician/`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
      await signInOnLoginPage(page, doctor);
      await page.waitForURL(`${server.url}/clinician/home`);
      await page.goto(`${server.url}/clinician/admin/users`);
      await page.waitForURL(`${server.url}/clinician/home`);
      const tokens = (await (
        await fetch(`${server.url}/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(doctor),
        })
      ).json()) as { access_token: string };
      const refused = await fetch(`${server.url}/admin/accounts?email=medbuddy`, {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { resourceType: string }).resourceType, 'OperationOutcome');
    }),
  );
});
