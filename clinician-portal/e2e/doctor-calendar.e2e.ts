import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, PHONE, screenshot, withPage } from './support/browser';
import { FhirApi, parameters, verifiedDoctor } from './fhir-api';
import { signInToClinician } from './clinician-sign-in';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';

interface Bundle<T> {
  readonly entry?: { readonly resource: T }[];
}
interface Slot {
  readonly id: string;
  readonly start: string;
  readonly end?: string;
  readonly status: string;
}

/** The doctor's zone: not the test machine's, so times and days must follow it, not the browser. */
const ZONE = 'America/New_York';

/** `2026-12-01` and `09:30` of an instant in ZONE. */
function localDay(instant: string | number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}
function localTime(instant: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(instant),
  );
}

/**
 * The doctor's calendar against the real server: opening hours saved on the availability page
 * become slots; a patient (through the API) holds one and books another; the calendar's day
 * and week views show free, held and booked slots in words, at the doctor's local times, with
 * the patient's name on the booked one, which opens the patient's chart; on a phone the week
 * is a list of days. Each view is scanned with axe-core.
 */
describe('clinician portal: the calendar of slots', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let doctor: Account;
  let doctorApi: FhirApi;
  let patientApi: FhirApi;
  let held: Slot;
  let booked: Slot;
  let free: Slot;
  let day: string;

  before(
    async () => {
      // The hold must outlast the test (5 minutes by default).
      process.env['SLOT_HOLD_MINUTES'] = '60';
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'server-doctor-calendar.log'));
      browser = await launchChromium();
      ({ account: doctor, api: doctorApi } = await verifiedDoctor(server, { givenName: 'Lisa', familyName: 'Cuddy' }));
      const patient = await server.registerVerified({ role: 'patient', givenName: 'Rebecca', familyName: 'Adler' });
      patientApi = await FhirApi.signIn(server, patient);
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Waits until the calendar shows `view` around `date` and has read its slots. */
  async function shows(page: Page, view: 'day' | 'week', date: string): Promise<void> {
    await page.locator(`.days[data-range="${view}:${date}"][aria-busy="false"]`).waitFor();
  }

  /** The list item of a slot, checked to read `time, state[, patient]` in words. */
  async function expectSlot(page: Page, slot: Slot, state: string, patientName?: string): Promise<Locator> {
    const item = page.locator(`li.slot[data-slot="${slot.id}"]`);
    await item.waitFor();
    const text = (await item.innerText()).replace(/\s+/g, ' ');
    assert.match(text, new RegExp(`^${localTime(slot.start)}–\\d\\d:\\d\\d ${state}\\b`), `slot ${slot.id} reads "${text}"`);
    if (patientName) {
      assert.match(text, new RegExp(patientName));
    } else {
      assert.doesNotMatch(text, /Rebecca/, 'only the booked slot names its patient');
    }
    assert.deepEqual((await item.getAttribute('class'))?.split(' ').sort(), ['slot', state.toLowerCase()].sort());
    return item;
  }

  it('opening hours saved on the availability page become slots; a patient holds one and books another', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-calendar-availability', async (page) => {
      await signInToClinician(page, server, doctor);
      await page.getByRole('link', { name: 'Profile and availability' }).click();
      await page.getByText('Save your profile and hours to publish slots.').waitFor();
      await page.getByRole('combobox', { name: 'Specialty' }).click();
      await page.getByRole('option', { name: 'General practice' }).click();
      await page.getByRole('spinbutton', { name: 'Consultation fee (EUR)' }).fill('60');
      await page.getByRole('textbox', { name: 'Time zone' }).fill(ZONE);
      await page.getByRole('spinbutton', { name: 'Slot length (minutes)' }).fill('30');
      const hours = page.getByRole('group', { name: 'Opening hours 1' });
      for (const weekday of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) {
        await hours.getByRole('checkbox', { name: weekday }).setChecked(true);
      }
      await hours.getByLabel('From', { exact: true }).fill('09:00');
      await hours.getByLabel('To', { exact: true }).fill('12:00');
      await hours.getByLabel('Break from').fill('10:00');
      await hours.getByLabel('Break to').fill('10:30');
      await page.getByRole('button', { name: 'Save and generate slots' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

      // Tomorrow in the doctor's zone: 09:00, 09:30, (break), 10:30, 11:00, 11:30.
      day = localDay(Date.now() + 86_400_000);
      const bundle = await doctorApi.request<Bundle<Slot>>(
        'GET',
        `Slot?schedule.actor=${doctorApi.profile}&start=ge${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}&_sort=start&_count=50`,
      );
      const slots = (bundle.entry ?? []).map((entry) => entry.resource).filter((slot) => localDay(slot.start) === day);
      assert.deepEqual(
        slots.map((slot) => localTime(slot.start)),
        ['09:00', '09:30', '10:30', '11:00', '11:30'],
        'the rules (with their break) give these slots',
      );
      assert.ok(slots.every((slot) => slot.status === 'free'));
      [held, free, booked] = [slots[0], slots[1], slots[2]];

      await patientApi.request('POST', 'Appointment/$hold', parameters({ name: 'slot', valueString: `Slot/${held.id}` }));
      await patientApi.request('POST', 'Appointment/$book', parameters({ name: 'slot', valueString: `Slot/${booked.id}` }));

      // The calendar's one search: the slots of the day with their appointments, patients (the
      // doctor may read them now) and, once checked in, encounters.
      const schedule = (await doctorApi.request<{ schedule: { reference: string } }>('GET', `Slot/${held.id}`)).schedule.reference;
      const from = held.start;
      const to = booked.end ?? '';
      const calendar = await doctorApi.request<Bundle<{ resourceType: string; id: string; status?: string }>>(
        'GET',
        `Slot?schedule=${schedule}&start=ge${encodeURIComponent(from)}&start=lt${encodeURIComponent(to)}&_count=200` +
          '&_revinclude=Appointment:slot&_include:iterate=Appointment:patient:Patient&_revinclude:iterate=Encounter:appointment:Appointment',
      );
      const found = (calendar.entry ?? []).map((entry) => `${entry.resource.resourceType}:${entry.resource.status ?? ''}`).sort();
      assert.deepEqual(
        found,
        ['Appointment:booked', 'Appointment:pending', 'Patient:', 'Slot:busy', 'Slot:busy-tentative', 'Slot:free'],
        'slots, both appointments and the patient in one search',
      );
    }),
  );

  it('the day and week views show free, held and booked slots in words, at the doctor local times', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-calendar', async (page) => {
      assert.ok(held && booked, 'slots from the first test');
      await signInToClinician(page, server, doctor);
      await page.getByRole('link', { name: 'Calendar' }).click();
      await page.waitForURL(`${server.url}/clinician/calendar`);
      await page.getByText(`Times in ${ZONE}`).waitFor();

      // The date picker opens the day in the day view.
      await page
        .getByRole('radio', { name: 'Day' })
        .or(page.getByRole('button', { name: 'Day', exact: true }))
        .first()
        .click();
      await page.waitForURL(/view=day/);
      await page.getByLabel('Go to date').fill(day);
      await shows(page, 'day', day);
      await expectSlot(page, held, 'Held');
      await expectSlot(page, free, 'Free');
      await expectSlot(page, booked, 'Booked', 'Rebecca Adler');
      assert.equal(await page.locator('.days li.slot').count(), 5, 'the day has its five slots');
      await screenshot(page, 'clinician-calendar-day-desktop');
      await expectAccessible(page, 'the calendar, day view');

      // Keyboard: the next day and back again.
      const title = page.locator('h2.title');
      const before = await title.innerText();
      await page.getByRole('button', { name: 'Next day' }).focus();
      await page.keyboard.press('Enter');
      await shows(page, 'day', new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
      assert.notEqual(await title.innerText(), before);
      assert.equal(await page.locator(`li.slot[data-slot="${held.id}"]`).count(), 0, 'the next day has other slots');
      await page.getByRole('button', { name: 'Previous day' }).focus();
      await page.keyboard.press('Enter');
      await shows(page, 'day', day);
      await expectSlot(page, held, 'Held');

      await page
        .getByRole('radio', { name: 'Week' })
        .or(page.getByRole('button', { name: 'Week', exact: true }))
        .first()
        .click();
      await shows(page, 'week', day);
      assert.equal(await page.locator('section.day').count(), 7, 'a week has seven days');
      // From the slots' day to the Sunday, every day has the rules' five slots.
      const days = await page
        .locator('section.day')
        .evaluateAll((sections) =>
          sections.map((section) => ({ id: section.getAttribute('aria-labelledby'), slots: section.querySelectorAll('li.slot').length })),
        );
      const ahead = days.filter((d) => (d.id ?? '') >= `day-${day}`);
      assert.ok(ahead.length >= 1 && ahead.every((d) => d.slots === 5), `five slots a day ahead: ${JSON.stringify(days)}`);
      await expectSlot(page, held, 'Held');
      await expectSlot(page, free, 'Free');
      const bookedItem = await expectSlot(page, booked, 'Booked', 'Rebecca Adler');
      const colours = await Promise.all(
        [held, free, booked].map((slot) =>
          page.locator(`li.slot[data-slot="${slot.id}"]`).evaluate((li) => getComputedStyle(li).backgroundColor),
        ),
      );
      assert.equal(new Set(colours).size, 3, `each state has its own colour too (${colours.join(', ')})`);
      const legend = (await page.getByRole('list', { name: 'Slot states shown' }).innerText()).replace(/[\s\u00a0]+/g, ' ');
      assert.match(legend, /Held 1/);
      assert.match(legend, /Booked 1/);
      await screenshot(page, 'clinician-calendar-week-desktop');
      await expectAccessible(page, 'the calendar, week view');

      // The booked slot opens the patient's chart (no consultation yet: the patient has not checked in).
      await bookedItem.getByRole('link').focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/clinician\/patients\/[^/]+$/);
      await page.getByText('Rebecca Adler').first().waitFor();
    }),
  );

  it('on a phone the week is a list of days', { timeout: 120_000 }, () =>
    withPage(browser, PHONE, 'clinician-calendar-phone', async (page) => {
      await signInToClinician(page, server, doctor);
      await page.goto(`${server.url}/clinician/calendar?view=week&date=${day}`);
      await shows(page, 'week', day);
      await expectSlot(page, booked, 'Booked', 'Rebecca Adler');
      await expectSlot(page, held, 'Held');
      const boxes = await page.locator('section.day').evaluateAll((sections) => sections.map((s) => s.getBoundingClientRect().toJSON()));
      assert.equal(boxes.length, 7);
      assert.ok(
        boxes.every((box, i) => i === 0 || box.top > boxes[i - 1].top),
        'days stack one under another',
      );
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no sideways scrolling (${width}px)`);
      await screenshot(page, 'clinician-calendar-week-phone');
      await expectAccessible(page, 'the calendar on a phone');
    }),
  );
});
