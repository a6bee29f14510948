import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, PHONE, screenshot, withPage } from './support/browser';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';
import { signInOnLoginPage } from './support/login-page';
import { AdminFhir, daysFromNow, type SeededDoctor } from './directory-seed';
import { menu, signIn as signInAs } from './patient-session';

/**
 * A new patient's journey through the portal on a desktop, one step per test (they build on each
 * other): sign-up and password reset, profile, finding a doctor, booking (with the time taken by
 * someone else meanwhile), appointments and cancelling. Screenshots of each page go to the
 * test output.
 */
describe('patient portal: the patient journey', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let admin: AdminFhir;
  let weber: SeededDoctor;
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
      admin = await AdminFhir.signIn(server);
      weber = await admin.seedDoctor({
        given: 'Lukas',
        family: 'Weber',
        specialty: { code: 'cardiology', display: 'Cardiology' },
        languages: ['de', 'en'],
        fee: 45,
        years: 12,
        rating: { average: 4.7, count: 38 },
        timeZone: 'Europe/Berlin',
        biography: 'Cardiologist in Berlin with a focus on **high blood pressure**.',
        qualification: 'Specialist in internal medicine and cardiology',
        slots: [daysFromNow(2, 9), daysFromNow(2, 9, 20), daysFromNow(3, 14)],
      });
      await admin.seedDoctor({
        given: 'Aiko',
        family: 'Tanaka',
        specialty: { code: 'dermatology', display: 'Dermatology' },
        languages: ['ja', 'en'],
        fee: 60,
        years: 5,
        timeZone: 'Asia/Tokyo',
        biography: 'Dermatologist.',
        qualification: 'Specialist in dermatology',
        slots: [daysFromNow(4, 1)],
      });
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const signIn = (page: Page, account: Account) => signInAs(page, server.url, account);

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
        // The error texts fade in: axe measures their contrast once they are fully shown.
        await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'));
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

  it(
    'keeps a profile: details, language and time zone; conditions, allergies and medications added, edited, removed',
    { timeout: 180_000 },
    () =>
      withPage(browser, DESKTOP, 'journey-profile', async (page) => {
        await signIn(page, patient);
        await menu(page, 'Profile');
        await page.getByRole('heading', { name: 'Your profile' }).waitFor();
        await page.getByRole('button', { name: 'Save details' }).waitFor();

        await page.getByLabel('Date of birth').fill('1990-02-03');
        await page.getByLabel('Mobile phone').fill('+1 212 555 0100');
        await page.getByRole('combobox', { name: 'Sex' }).click();
        await page.getByRole('option', { name: 'Female' }).click();
        await page.getByRole('combobox', { name: 'Preferred language' }).selectOption({ label: 'Spanish' });
        await page.getByRole('combobox', { name: 'Time zone' }).selectOption('America/New_York');
        await page.getByRole('button', { name: 'Save details' }).click();
        await page.getByText('Your details are saved.').waitFor();

        await page.getByRole('button', { name: 'Add condition' }).click();
        await page.getByRole('textbox', { name: 'Condition', exact: true }).fill('Asthma');
        await page.getByRole('textbox', { name: 'Notes (optional)' }).fill('Since childhood');
        await page.getByRole('button', { name: 'Save condition' }).click();
        await page.getByRole('button', { name: 'Edit Asthma' }).click();
        await page.getByRole('textbox', { name: 'Condition', exact: true }).fill('Allergic asthma');
        await page.getByRole('button', { name: 'Save condition' }).click();
        await page.getByRole('button', { name: 'Edit Allergic asthma' }).waitFor();

        await page.getByRole('button', { name: 'Add allergy' }).click();
        await page.getByRole('textbox', { name: 'Allergic to' }).fill('Peanuts');
        await page.getByRole('combobox', { name: 'Severity' }).click();
        await page.getByRole('option', { name: 'Severe reaction' }).click();
        await page.getByRole('button', { name: 'Save allergy' }).click();
        await page.getByText('Severe reaction').waitFor();

        await page.getByRole('button', { name: 'Add medication' }).click();
        await page.getByRole('textbox', { name: 'Medication', exact: true }).fill('Ibuprofen');
        await page.getByRole('button', { name: 'Save medication' }).click();
        await page.getByRole('button', { name: 'Remove Ibuprofen' }).click();
        await page.getByRole('button', { name: 'Yes, remove' }).click();
        await page.getByText('No medications recorded.').waitFor();
        await page.getByRole('button', { name: 'Add medication' }).click();
        await page.getByRole('textbox', { name: 'Medication', exact: true }).fill('Salbutamol inhaler');
        await page.getByRole('textbox', { name: 'How you take it (optional)' }).fill('Two puffs when needed');
        await page.getByRole('button', { name: 'Save medication' }).click();
        await page.getByText('Two puffs when needed').waitFor();
        await screenshot(page, 'profile');
        await expectAccessible(page, 'the profile page');

        // Everything was stored: a reload shows it again.
        await page.reload();
        await page.getByRole('button', { name: 'Edit Allergic asthma' }).waitFor();
        await page.getByText('Salbutamol inhaler').waitFor();
        assert.equal(await page.getByRole('combobox', { name: 'Time zone' }).inputValue(), 'America/New_York');
        assert.equal(await page.getByLabel('Date of birth').inputValue(), '1990-02-03');
      }),
  );

  it('finds a doctor by specialty, language and name, and opens the doctor page', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'journey-find-doctor', async (page) => {
      await signIn(page, patient);
      await menu(page, 'Find a doctor');
      await page.getByText('2 doctors found').waitFor();
      const results = page.getByRole('region', { name: 'Doctors found' });
      await results.getByText('German, English').waitFor();
      await results.getByText('★ 4.7 (38 reviews)').waitFor();
      await page.waitForFunction(() => !document.body.textContent?.includes('Looking for free times'));
      await screenshot(page, 'find-doctor');
      await expectAccessible(page, 'the find-a-doctor page');

      await page.getByRole('combobox', { name: 'Specialty' }).click();
      await page.getByRole('option', { name: 'Dermatology', exact: true }).click();
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('1 doctor found').waitFor();
      await results.getByRole('link', { name: 'Dr. Aiko Tanaka', exact: true }).waitFor();

      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.getByRole('combobox', { name: 'Language' }).click();
      await page.getByRole('option', { name: 'German', exact: true }).click();
      await page.getByLabel('Highest fee').fill('50');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('1 doctor found').waitFor();
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.getByLabel("Doctor's name").fill('tanaka');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('1 doctor found').waitFor();
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.getByText('2 doctors found').waitFor();

      await results.getByRole('link', { name: 'Dr. Lukas Weber', exact: true }).click();
      await page.getByRole('heading', { name: 'Dr. Lukas Weber' }).waitFor();
      await page.getByText('Cardiologist in Berlin with a focus on high blood pressure.').waitFor();
      await page.getByText('Specialist in internal medicine and cardiology').waitFor();
      await page.getByText('★ 4.7 out of 5, from 38 reviews').waitFor();
      await screenshot(page, 'doctor-page');
      await expectAccessible(page, 'the doctor page');
    }),
  );

  it("books in the patient's time zone; a time taken meanwhile is explained and the picker refreshes", { timeout: 180_000 }, () =>
    withPage(
      browser,
      DESKTOP,
      'journey-book',
      async (page) => {
        await signIn(page, patient);
        await page.goto(`${server.url}/patient/doctors/${weber.roleId}`);
        await page.getByRole('link', { name: 'See free times and book' }).click();
        await page.getByText('Times are in your time zone: America/New_York').waitFor();
        const times = page.locator('pp-slot-picker button');
        await times.first().waitFor();
        assert.equal(await times.count(), 3);
        assert.match((await times.first().getAttribute('title')) ?? '', /for the doctor \(Europe\/Berlin\)/);
        await screenshot(page, 'book-slot-picker');
        await expectAccessible(page, 'the slot picker');

        // Picking a time holds it (Appointment/$hold); choosing another time gives it back.
        await times.first().click();
        await page.getByRole('heading', { name: 'Confirm your consultation' }).waitFor();
        await page.getByText('For the doctor:').waitFor();
        await screenshot(page, 'book-confirm');
        await expectAccessible(page, 'the booking confirmation step');
        assert.equal((await admin.request<{ status: string }>('GET', `Slot/${weber.slotIds[0]}`)).status, 'busy-tentative');
        await page.getByRole('button', { name: 'Choose another time' }).click();
        await page.waitForFunction(() => document.querySelectorAll('pp-slot-picker button').length === 3);
        assert.equal((await admin.request<{ status: string }>('GET', `Slot/${weber.slotIds[0]}`)).status, 'free');

        // Another patient books that time while this one still sees it as free.
        const other = await AdminFhir.signIn(
          server,
          await server.registerVerified({ role: 'patient', givenName: 'Ola', familyName: 'Nordmann' }),
        );
        await other.operation('Appointment/$book', [{ name: 'slot', valueString: `Slot/${weber.slotIds[0]}` }]);
        await times.first().click();
        await page.getByRole('alert').getByText('Someone else has just booked this time.').waitFor();
        await page.waitForFunction(() => document.querySelectorAll('pp-slot-picker button').length === 2);
        await screenshot(page, 'book-slot-taken');

        await times.first().click();
        await page.getByRole('combobox', { name: 'Reason for the visit' }).click();
        await page.getByRole('option', { name: 'Follow-up' }).click();
        await page.getByLabel('Anything the doctor should know (optional)').fill('Blood pressure check');
        await page.getByRole('button', { name: 'Confirm booking' }).click();
        await page.getByRole('heading', { name: 'You are booked' }).waitFor();
        await page.getByText('Dr. Lukas Weber').waitFor();
        await screenshot(page, 'book-confirmation');
        await expectAccessible(page, 'the booking confirmation');
      },
      // The taken slot cannot be held: the server's 409, which the page explains.
      [/status of 409/],
    ),
  );

  it('lists upcoming and past appointments and cancels one', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'journey-appointments', async (page) => {
      await signIn(page, patient);
      await menu(page, 'Appointments');
      await page.getByRole('tab', { name: 'Upcoming (1)' }).waitFor();
      await page.getByText('Dr. Lukas Weber · Booked').waitFor();
      await page.getByText('Reason: Follow-up').waitFor();
      await screenshot(page, 'appointments');
      await expectAccessible(page, 'the appointments page');

      await page.getByRole('button', { name: /^Cancel the appointment on/ }).click();
      await page.getByRole('button', { name: 'Yes, cancel it' }).click();
      await page.getByText('Your appointment is cancelled.').waitFor();
      await page.getByRole('tab', { name: 'Upcoming (0)' }).waitFor();
      await page.getByRole('tab', { name: 'Past and cancelled (1)' }).click();
      await page.getByText('Dr. Lukas Weber · Cancelled').waitFor();
      await screenshot(page, 'appointments-cancelled');
    }),
  );

  it('works on a phone and with the keyboard alone: find, book, see the appointment', { timeout: 180_000 }, () =>
    withPage(browser, PHONE, 'journey-phone', async (page) => {
      await signIn(page, patient);
      await screenshot(page, 'phone-home');
      await menu(page, 'Find a doctor');
      await page.getByText('2 doctors found').waitFor();
      await screenshot(page, 'phone-find-doctor');
      await expectAccessible(page, 'the find-a-doctor page on a phone');

      // Keyboard only from here: focus moves with Tab, links and buttons answer to Enter.
      const book = page.getByRole('link', { name: 'Book with Dr. Lukas Weber' });
      await book.focus();
      await page.keyboard.press('Enter');
      await page.getByText('Times are in your time zone: America/New_York').waitFor();
      const firstTime = page.locator('pp-slot-picker button').first();
      await firstTime.waitFor();
      await screenshot(page, 'phone-book-slot-picker');
      await expectAccessible(page, 'the slot picker on a phone');
      await firstTime.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Confirm your consultation' }).waitFor();
      await page.getByRole('combobox', { name: 'Reason for the visit' }).focus();
      for (let tab = 0; tab < 2; tab++) {
        await page.keyboard.press('Tab');
      }
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Confirm booking');
      await screenshot(page, 'phone-book-confirm');
      await expectAccessible(page, 'the booking confirmation step on a phone');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'You are booked' }).waitFor();
      await screenshot(page, 'phone-booked');

      await menu(page, 'Appointments');
      await page.getByRole('tab', { name: 'Upcoming (1)' }).waitFor();
      await screenshot(page, 'phone-appointments');
      await expectAccessible(page, 'the appointments page on a phone');

      // Reschedule: book another time with the same doctor; the old appointment is then cancelled.
      const reschedule = page.getByRole('link', { name: /^Reschedule the appointment on/ });
      const before = await reschedule.getAttribute('aria-label');
      await reschedule.click();
      await page.getByRole('heading', { name: 'Move your appointment with Dr. Lukas Weber' }).waitFor();
      await page.locator('pp-slot-picker button').last().click();
      await page.getByRole('button', { name: 'Move my appointment' }).click();
      await page.getByRole('heading', { name: 'You are booked' }).waitFor();
      await menu(page, 'Appointments');
      // The same appointment moved (Appointment/$reschedule): still one upcoming, no new cancelled one.
      await page.getByRole('tab', { name: 'Upcoming (1)' }).waitFor();
      await page.getByRole('tab', { name: 'Past and cancelled (1)' }).waitFor();
      assert.notEqual(await reschedule.getAttribute('aria-label'), before);
      await menu(page, 'Profile');
      await page.getByRole('button', { name: 'Edit Allergic asthma' }).waitFor();
      await screenshot(page, 'phone-profile');
      await expectAccessible(page, 'the profile page on a phone');
    }),
  );

  it('is an installable PWA whose app shell opens offline', { timeout: 120_000 }, () =>
    withPage(
      browser,
      DESKTOP,
      'journey-pwa',
      async (page) => {
        await page.goto(`${server.url}/patient/`);
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        const scope = await page.evaluate(() => navigator.serviceWorker.ready.then((registration) => registration.scope));
        assert.equal(scope, `${server.url}/patient/`);
        const manifest = await page.evaluate(() =>
          fetch(document.querySelector<HTMLLinkElement>('link[rel=manifest]')?.href ?? '').then((response) => response.json()),
        );
        assert.equal(manifest.display, 'standalone');
        assert.deepEqual(
          manifest.icons.map((icon: { sizes: string }) => icon.sizes),
          ['192x192', '512x512', 'any'],
        );
        // Wait until the worker controls the page, then go offline: the shell still opens.
        await page.reload();
        // The worker installs (precaches the app shell) before it takes control: slow on a loaded machine.
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 90_000 });
        await page.context().setOffline(true);
        await page.goto(`${server.url}/patient/home`);
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        await screenshot(page, 'pwa-offline');
        await page.context().setOffline(false);
      },
      [/ERR_INTERNET_DISCONNECTED/],
    ),
  );
});
