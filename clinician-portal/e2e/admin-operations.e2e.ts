import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, screenshot, withPage } from './support/browser';
import { verifiedDoctor, type FhirApi } from './fhir-api';
import { signInToClinician } from './clinician-sign-in';
import { startMedBuddy, type MedBuddyServer } from './support/medbuddy-server';

const SPECIALTY_VALUE_SET = 'https://medbuddy.dev/fhir/ValueSet/specialty';

/** The administrator runs the platform: specialties (effective at once in discovery) and suspending a doctor. */
describe('clinician portal: admin operations', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let doctor: FhirApi;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'server-admin-operations.log'));
      browser = await launchChromium();
      doctor = (await verifiedDoctor(server, { givenName: 'James', familyName: 'Wilson' })).api;
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** What patient discovery offers: the anonymous expansion of the specialty value set. */
  async function discoverable(): Promise<Map<string, string>> {
    const response = await fetch(`${server.url}/fhir/ValueSet/$expand?url=${encodeURIComponent(SPECIALTY_VALUE_SET)}&count=1000`, {
      headers: { Accept: 'application/fhir+json' },
    });
    const valueSet = (await response.json()) as { expansion: { contains?: Contains[] } };
    interface Contains {
      code?: string;
      display?: string;
      contains?: Contains[];
    }
    const found = new Map<string, string>();
    const walk = (list: Contains[]) =>
      list.forEach((entry) => {
        if (entry.code) {
          found.set(entry.code, entry.display ?? '');
        }
        walk(entry.contains ?? []);
      });
    walk(valueSet.expansion.contains ?? []);
    return found;
  }

  it('adds, renames and retires a specialty, effective at once in discovery', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-admin-specialties', async (page) => {
      await signInToClinician(page, server, server.admin);
      await page.getByRole('link', { name: 'Specialties' }).click();
      await page.waitForURL(`${server.url}/clinician/admin/specialties`);
      await page.getByRole('cell', { name: 'general-practice', exact: true }).waitFor();

      await page.getByRole('textbox', { name: 'Code' }).fill('sports-medicine');
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Sports medicine');
      await page.getByRole('combobox', { name: 'Family' }).click();
      await page.getByRole('option', { name: 'Primary care' }).click();
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Specialty "Sports medicine" added.' }).waitFor();
      assert.equal((await discoverable()).get('sports-medicine'), 'Sports medicine', 'discovery offers the new specialty');

      await page.getByRole('textbox', { name: 'Name of sports-medicine' }).fill('Sport and exercise medicine');
      await page.getByRole('button', { name: 'Rename sports-medicine' }).click();
      await page.getByRole('status').filter({ hasText: 'Renamed' }).waitFor();
      assert.equal((await discoverable()).get('sports-medicine'), 'Sport and exercise medicine');

      await page.getByRole('button', { name: 'Retire sports-medicine' }).click();
      await page.getByRole('status').filter({ hasText: '"sports-medicine" retired.' }).waitFor();
      assert.equal((await discoverable()).has('sports-medicine'), false, 'a retired specialty is no longer offered');
      await page.getByRole('button', { name: 'Reinstate sports-medicine' }).waitFor();

      // A code that exists already is refused before anything is sent.
      await page.getByRole('textbox', { name: 'Code' }).fill('cardiology');
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Heart');
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'exists already' }).waitFor();

      await screenshot(page, 'clinician-admin-specialties-desktop');
      await expectAccessible(page, 'specialty management');
    }),
  );

  it('suspends a verified doctor with a reason; patients no longer find them', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-admin-suspend', async (page) => {
      await signInToClinician(page, server, server.admin);
      await page.getByRole('link', { name: 'Doctors', exact: true }).click();
      await page.waitForURL(`${server.url}/clinician/admin/doctors`);
      const card = page.locator('mat-card', { hasText: 'James Wilson' });
      await card.waitFor();
      await screenshot(page, 'clinician-admin-doctors-desktop');
      await expectAccessible(page, 'the verified doctors');

      await card.getByRole('button', { name: 'Suspend' }).click();
      await page.getByRole('alert').filter({ hasText: 'Give a reason for the suspension.' }).waitFor();
      await card.getByRole('textbox', { name: 'Reason for suspension' }).fill('Licence under review');
      await card.getByRole('button', { name: 'Suspend' }).click();
      await page.getByRole('status').filter({ hasText: 'Doctor suspended.' }).waitFor();
      await page.getByText('No verified doctor matches.').waitFor();

      const directory = await fetch(`${server.url}/fhir/Practitioner?name=Wilson`, { headers: { Accept: 'application/fhir+json' } });
      assert.equal(
        ((await directory.json()) as { entry?: unknown[] }).entry?.length ?? 0,
        0,
        'the suspended doctor is hidden from patients',
      );
      const own = await doctor.request<{ active: boolean }>('GET', doctor.profile as string);
      assert.equal(own.active, false);
    }),
  );
});
