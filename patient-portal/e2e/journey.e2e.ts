import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, screenshot, withPage } from './support/browser';
import { signInOnLoginPage } from './support/login-page';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';

/**
 * A new patient's journey through the portal on a desktop, one step per test (they build on each
 * other): sign-up to sign-in and password reset.
 */
describe('patient portal: the patient journey', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  const patient: { email: string; password: string; givenName: string; familyName: string } = {
    email: `maria-${Date.now()}@medbuddy.test`,
    password: 'correct horse battery staple',
    givenName: 'Maria',
    familyName: 'Garcia',
  };

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'journey-server.log'));
      browser = await launchChromium();
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Signs in from the landing page through the server's login page; ends on `/patient/<landing>`. */
  async function signIn(page: Page, account: Account): Promise<void> {
    await page.goto(`${server.url}/patient/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
    await signInOnLoginPage(page, account);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  it('signs up, confirms the e-mail from the outbox, signs in and out, and resets a forgotten password', { timeout: 180_000 }, () =>
    withPage(
      browser,
      DESKTOP,
      'journey-account',
      async (page) => {
        await page.goto(`${server.url}/patient/`);
        await page.getByRole('link', { name: 'Create an account' }).click();
        await page.getByRole('heading', { name: 'Create your MedBuddy account' }).waitFor();

        // Nothing filled in: every field says what it needs, nothing is sent.
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByText('Enter your first name.').waitFor();
        await screenshot(page, 'account-sign-up-errors');
        await expectAccessible(page, 'the sign-up page with errors');

        await page.getByLabel('First name').fill(patient.givenName);
        await page.getByLabel('Last name').fill(patient.familyName);
        await page.getByLabel('E-mail').fill(patient.email);
        // A password the server refuses: its OperationOutcome is shown as a sentence.
        await page.getByLabel('Password').fill('password1234');
        await page.getByRole('button', { name: 'Create account' }).click();
        const alert = page.getByRole('alert');
        await alert.waitFor();
        assert.match((await alert.textContent()) ?? '', /password/i);

        await page.getByLabel('Password').fill(patient.password);
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
        await screenshot(page, 'account-check-your-email');
        await expectAccessible(page, 'the "check your e-mail" page');

        // Signing in before confirming is refused by the login page.
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
        await signInOnLoginPage(page, patient);
        await page.getByText(/verify your e-mail/i).waitFor();

        await page.goto(await server.emailLink(patient.email, '/auth/verify-email'));
        await page.getByRole('heading', { name: 'E-mail confirmed' }).waitFor();

        await signIn(page, patient);
        await screenshot(page, 'account-signed-in');
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL((url) => url.pathname === '/patient/sign-in');

        // Forgot password: the link from the e-mail leads to the server's form.
        await page.getByRole('link', { name: 'Forgot your password?' }).click();
        await page.getByLabel('E-mail').fill(patient.email);
        await page.getByRole('button', { name: 'Send the link' }).click();
        await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
        await screenshot(page, 'account-forgot-password-sent');
        await expectAccessible(page, 'the forgot-password page');
        await page.goto(await server.emailLink(patient.email, '/auth/reset-password'));
        patient.password = 'a brand new password for maria';
        await page.getByLabel(/New password/).fill(patient.password);
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByRole('heading', { name: 'Password changed' }).waitFor();

        await signIn(page, patient);
        assert.equal(new URL(page.url()).pathname.startsWith('/patient/'), true);
      },
      [
        // Provoked on purpose: the refused password (400), the login page refusing an
        // unconfirmed address (401), and the server pages' missing /favicon.ico (404).
        /status of 400/,
        /status of 401/,
        /status of 404/,
      ],
    ),
  );
});
