import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, launchChromium, OUTPUT_DIR, PHONE, screenshot, withPage } from './support/browser';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';
import { AdminFhir, daysFromNow, type SeededDoctor } from './directory-seed';
import { signIn } from './patient-session';

/**
 * Two patients in two browsers (their own contexts: cookies, storage) pick the same free time
 * at the same moment. The server holds it for exactly one of them (`Appointment/$hold` behind a
 * unique slot index); the other is told someone else took it and sees the refreshed times.
 * The winner confirms, and the server has exactly one booked appointment on the slot. A picker
 * left open follows the doctor's Slots: a time taken meanwhile disappears from it.
 */
describe('patient portal: two patients race for the same time', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let admin: AdminFhir;
  let doctor: SeededDoctor;
  let patients: Account[];

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'race-server.log'));
      browser = await launchChromium();
      admin = await AdminFhir.signIn(server);
      doctor = await admin.seedDoctor({
        given: 'Amara',
        family: 'Okafor',
        specialty: { code: 'general-practice', display: 'General practice' },
        languages: ['en'],
        fee: 30,
        years: 8,
        timeZone: 'Africa/Lagos',
        biography: 'General practitioner.',
        qualification: 'Specialist in general practice',
        slots: [daysFromNow(3, 10), daysFromNow(3, 11)],
      });
      patients = [
        await server.registerVerified({ role: 'patient', givenName: 'Ana', familyName: 'Silva' }),
        await server.registerVerified({ role: 'patient', givenName: 'Ben', familyName: 'Cohen' }),
      ];
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Signed in and on the doctor's slot picker, with both times shown. */
  async function onPicker(page: Page, account: Account): Promise<void> {
    await signIn(page, server.url, account);
    await page.goto(`${server.url}/patient/doctors/${doctor.roleId}/book`);
    await page.waitForFunction(() => document.querySelectorAll('pp-slot-picker button').length === 2);
  }

  /** What the page shows after picking: the confirmation step (won) or the explanation (lost). */
  async function outcome(page: Page): Promise<'held' | 'taken'> {
    const held = page.getByRole('heading', { name: 'Confirm your consultation' });
    const taken = page.getByRole('alert').getByText('Someone else has just booked this time.');
    await held.or(taken).waitFor();
    return (await held.isVisible()) ? 'held' : 'taken';
  }

  it('holds the time for exactly one of them; the other sees why and a refreshed picker', { timeout: 180_000 }, () =>
    withPage(
      browser,
      DESKTOP,
      'race-first-patient',
      (first) =>
        withPage(
          browser,
          PHONE,
          'race-second-patient',
          async (second) => {
            await Promise.all([onPicker(first, patients[0]), onPicker(second, patients[1])]);
            const pages = [first, second];
            await Promise.all(pages.map((page) => page.locator('pp-slot-picker button').first().click()));
            const outcomes = await Promise.all(pages.map(outcome));
            assert.deepEqual([...outcomes].sort(), ['held', 'taken']);
            const winner = pages[outcomes.indexOf('held')];
            const loser = pages[outcomes.indexOf('taken')];

            await loser.waitForFunction(() => document.querySelectorAll('pp-slot-picker button').length === 1);
            await screenshot(loser, 'race-loser-refreshed-picker');
            await screenshot(winner, 'race-winner-confirm');

            await winner.getByRole('button', { name: 'Confirm booking' }).click();
            await winner.getByRole('heading', { name: 'You are booked' }).waitFor();
            await screenshot(winner, 'race-winner-booked');

            // Each patient's own appointments on that slot: one booked in all.
            let booked = 0;
            for (const account of patients) {
              const api = await AdminFhir.signIn(server, account);
              const bundle = await api.request<{ entry?: unknown[] }>('GET', `Appointment?slot=Slot/${doctor.slotIds[0]}&status=booked`);
              booked += bundle.entry?.length ?? 0;
            }
            assert.equal(booked, 1);
            const slot = await admin.request<{ status: string }>('GET', `Slot/${doctor.slotIds[0]}`);
            assert.equal(slot.status, 'busy');
          },
          [/status of 409/],
        ),
      [/status of 409/],
    ),
  );

  it('a time taken while the patient looks at the picker disappears from it without a reload', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'picker-follows-slots', async (page) => {
      await signIn(page, server.url, patients[1]);
      await page.goto(`${server.url}/patient/doctors/${doctor.roleId}/book`);
      await page.waitForFunction(() => document.querySelectorAll('pp-slot-picker button').length === 1);
      await admin.markSlotBusy(doctor.slotIds[1]);
      await page.getByText('No free times in the coming two weeks.').waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('pp-slot-picker button').count(), 0);
    }),
  );
});
