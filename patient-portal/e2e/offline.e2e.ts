import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, launchChromium, OUTPUT_DIR, screenshot, withPage } from './support/browser';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';
import { AdminFhir } from './directory-seed';
import { menu, signIn } from './patient-session';
import { AccountFhir, seedFinishedConsultation } from './records-seed';

const BANNER = /You are offline; showing what was saved on /;

/**
 * The installed app offline against the real server in Chromium: a patient who loaded their
 * appointments and prescriptions sees them again with no network, after a reload (the access
 * token in memory is gone and cannot be refreshed) and in a new window (no session at all),
 * with the offline banner and the network's actions disabled; signing out removes them.
 */
describe('patient portal: offline', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let maria: Account;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'offline-server.log'));
      browser = await launchChromium();
      const admin = await AdminFhir.signIn(server);
      maria = await server.registerVerified({ role: 'patient', givenName: 'Maria', familyName: 'Garcia' });
      const doctor = await server.registerVerified({ role: 'doctor', givenName: 'Lena', familyName: 'Weber' });
      await seedFinishedConsultation(server, admin, await AccountFhir.signIn(server, maria), doctor);
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function expectSavedAppointments(page: Page): Promise<void> {
    await page.getByRole('heading', { name: 'Your appointments' }).waitFor();
    await page.getByText(BANNER).waitFor();
    await page.getByRole('tab', { name: 'Past and cancelled (1)' }).click();
    await page.getByText(/Weber · /).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Book a consultation' }).getAttribute('aria-disabled'), 'true');
  }

  const savedCaches = (page: Page) =>
    page.evaluate(() => caches.keys().then((keys) => keys.filter((key) => key.startsWith('medbuddy-patient-data:'))));

  it(
    'shows the saved appointments and prescriptions after a reload and in a new window, and forgets them on signing out',
    { timeout: 180_000 },
    () =>
      withPage(
        browser,
        DESKTOP,
        'offline',
        async (page) => {
          await signIn(page, server.url, maria);
          // The worker precaches the app shell before it activates: slow on a loaded machine. Not
          // `controller`: a page whose navigation began while the worker was activating (here the
          // sign-in's redirect back) stays uncontrolled until its next load; the reload below is one.
          await page.waitForFunction(() => navigator.serviceWorker.ready.then(() => true), undefined, { timeout: 90_000 });
          await menu(page, 'Appointments');
          await page.getByRole('tab', { name: 'Past and cancelled (1)' }).waitFor();
          await menu(page, 'Prescriptions');
          await page.getByText('Amlodipine 5 MG Oral Tablet').waitFor();
          assert.equal((await savedCaches(page)).length, 1);

          await page.context().setOffline(true);
          // A reload: the shell comes from the worker's cache, the token cannot be refreshed.
          await page.reload();
          await page.getByText(BANNER).waitFor();
          await page.getByText('Amlodipine 5 MG Oral Tablet').waitFor();
          await page.getByText('Opening and downloading the signed PDFs need a connection.').waitFor();
          assert.equal(await page.getByRole('button', { name: /^Download PDF of the prescription/ }).isDisabled(), true);
          assert.equal(page.url(), `${server.url}/patient/prescriptions`);
          await screenshot(page, 'offline-prescriptions-reloaded');
          await menu(page, 'Appointments');
          await expectSavedAppointments(page);

          // A new window of the app, offline: no session at all in it.
          const window = await page.context().newPage();
          await window.goto(`${server.url}/patient/appointments`);
          await expectSavedAppointments(window);
          await screenshot(window, 'offline-appointments-new-window');
          await menu(window, 'Prescriptions');
          await window.getByText('Amlodipine 5 MG Oral Tablet').waitFor();

          // Signing out (still offline) removes what was saved: a new window then asks to sign in.
          await window.getByRole('button', { name: 'Sign out' }).click();
          await window.waitForURL((url) => url.pathname === '/patient/sign-in');
          assert.deepEqual(await savedCaches(window), []);
          assert.equal(await window.evaluate(() => localStorage.getItem('medbuddy.patient-portal.offline')), null);
          const after = await page.context().newPage();
          await after.goto(`${server.url}/patient/appointments`);
          await after.getByRole('button', { name: 'Sign in' }).waitFor();
          assert.equal(await after.getByText(BANNER).count(), 0);
          await page.context().setOffline(false);
        },
        [/ERR_INTERNET_DISCONNECTED/],
      ),
  );
});
