import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, screenshot, withPage } from './support/browser';
import { signInToClinician } from './clinician-sign-in';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';

/** The public directory as the patient portal searches it (doctor-directory.ts), without a token. */
async function directoryEntries(server: MedBuddyServer, family: string): Promise<number> {
  const query = new URLSearchParams({
    active: 'true',
    'practitioner.name': family,
    specialty: 'cardiology',
    language: 'de',
    _include: 'PractitionerRole:practitioner',
  });
  const response = await fetch(`${server.url}/fhir/PractitionerRole?${query.toString()}`, { headers: { Accept: 'application/fhir+json' } });
  assert.equal(response.status, 200);
  const bundle = (await response.json()) as { entry?: { resource: { resourceType: string } }[] };
  return (bundle.entry ?? []).filter((entry) => entry.resource.resourceType === 'PractitionerRole').length;
}

/** A small PDF with a random body, so its bytes are this test's own. */
const LICENCE_PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n'),
  Buffer.from(`% licence ${Date.now()} ${Math.random()}\n`),
  Buffer.from('%%EOF\n'),
]);

describe('clinician portal: a doctor signs up and onboards, an administrator verifies, patients find them', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  const doctor: Account = { email: `wilson-${Date.now()}@medbuddy.test`, password: 'a long and unusual doctor password' };

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'server-onboarding.log'));
      browser = await launchChromium();
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a doctor signs up and completes the wizard; the profile stays pending and unlisted', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-onboarding', async (page) => {
      await page.goto(`${server.url}/clinician/sign-in`);
      await page.getByRole('link', { name: 'Join as a doctor' }).click();
      await page.waitForURL(`${server.url}/clinician/sign-up`);
      await page.getByLabel('First name').fill('James');
      await page.getByLabel('Last name').fill('Wilson');
      await page.getByLabel('E-mail').fill(doctor.email);
      await page.getByLabel('Password').fill(doctor.password);
      await expectAccessible(page, 'the sign-up page');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('status').filter({ hasText: doctor.email }).waitFor();
      const confirmed = await fetch(await server.emailLink(doctor.email, '/auth/verify-email'));
      assert.equal(confirmed.status, 200);

      await signInToClinician(page, server, doctor);
      await page.getByText('pending verification').first().waitFor();
      await page.getByRole('link', { name: 'Complete your profile for verification' }).click();
      await page.waitForURL(`${server.url}/clinician/onboarding`);
      await page.getByRole('status').filter({ hasText: 'Pending verification' }).waitFor();
      assert.equal(await page.getByLabel('Last name').inputValue(), 'Wilson', 'the wizard starts from the registered name');
      await page.getByLabel('Work phone').fill('+49 30 1234567');
      await page.getByRole('button', { name: 'Next' }).click();

      await page.getByLabel('Qualification', { exact: true }).fill('Doctor of Medicine');
      await page.getByLabel('Issued by').fill('Charité Berlin');
      await page.getByLabel('Licence or certificate number').fill('BER-2011-4711');
      await page.getByLabel('Valid from').fill('2011-07-01');
      await page.getByRole('button', { name: 'Add a qualification' }).click();
      await page.getByLabel('Qualification', { exact: true }).nth(1).fill('Board certification in cardiology');
      await page.getByLabel('Issued by').nth(1).fill('Ärztekammer Berlin');
      await page.getByLabel('Valid from').nth(1).fill('2016-03-01');
      await page.getByLabel('Valid until').nth(1).fill('2031-02-28');
      await page.getByRole('button', { name: 'Next' }).click();

      // Licence documents: a file of another kind is explained, a wrong upload removed, the licence kept.
      await page.getByText('No document uploaded yet.').waitFor();
      await page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(['plain text'], 'notes.txt', { type: 'text/plain' }));
        const zone = document.querySelector('[data-testid="drop-zone"]') as HTMLElement;
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      });
      await page.getByRole('alert').filter({ hasText: 'notes.txt is not a PDF, PNG or JPEG file.' }).waitFor();
      await page
        .getByLabel('Licence or certificate file')
        .setInputFiles({ name: 'old-scan.pdf', mimeType: 'application/pdf', buffer: LICENCE_PDF });
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'old-scan.pdf is uploaded.' }).waitFor();
      await page.getByRole('button', { name: 'Remove old-scan' }).click();
      await page.getByRole('status').filter({ hasText: 'The document is removed.' }).waitFor();
      await page.evaluate(
        (bytes) => {
          const data = new DataTransfer();
          data.items.add(new File([new Uint8Array(bytes)], 'licence-scan.pdf', { type: 'application/pdf' }));
          const zone = document.querySelector('[data-testid="drop-zone"]') as HTMLElement;
          zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
          zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
        },
        [...LICENCE_PDF],
      );
      await page.getByText('Selected: licence-scan.pdf').waitFor();
      await page.getByLabel('Document title').fill('Medical licence');
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'licence-scan.pdf is uploaded.' }).waitFor();
      await page.getByRole('button', { name: 'Remove Medical licence' }).waitFor();
      await screenshot(page, 'clinician-onboarding-licence-desktop');
      await expectAccessible(page, 'the licence documents step');
      await page.getByRole('button', { name: 'Next' }).click();

      await page.getByRole('combobox', { name: 'Specialty' }).click();
      await page.getByRole('option', { name: 'Cardiology', exact: true }).click();
      await page.getByRole('combobox', { name: 'Consultation languages' }).click();
      await page.getByRole('option', { name: 'English', exact: true }).click();
      await page.getByRole('option', { name: 'German', exact: true }).click();
      await page.keyboard.press('Escape');
      await page.getByLabel(/Consultation fee/).fill('55');
      await page.getByLabel('Years of experience').fill('12');
      await page.getByLabel('About you').fill('Cardiologist with a focus on prevention and heart failure.');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Board certification in cardiology').count();
      await screenshot(page, 'clinician-onboarding-desktop');
      await expectAccessible(page, 'the onboarding wizard');
      await page.getByRole('button', { name: 'Submit for verification' }).click();
      await page.getByRole('status').filter({ hasText: 'Profile saved' }).waitFor();

      assert.equal(await directoryEntries(server, 'Wilson'), 0, 'an unverified doctor is not in the directory');
    }),
  );

  it('an administrator verifies the doctor, who then appears in discovery with the profile', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-onboarding-verified', async (page) => {
      await signInToClinician(page, server, server.admin);
      await page.getByRole('link', { name: 'Doctors awaiting verification' }).click();
      const card = page.locator('mat-card', { hasText: 'James Wilson' }).first();
      await card.waitFor();
      await card.getByText('Doctor of Medicine · Charité Berlin · No. BER-2011-4711 · from 2011-07-01').waitFor();
      // The licence the doctor uploaded, downloaded through its signed URL: the very bytes.
      const licence = card.getByRole('button', { name: 'Download Medical licence' });
      await licence.waitFor();
      assert.equal(await card.getByRole('button', { name: /^Download old-scan/ }).count(), 0, 'a removed document is not shown');
      await screenshot(page, 'clinician-verification-documents-desktop');
      await expectAccessible(page, 'the verification queue with documents');
      const [download] = await Promise.all([page.waitForEvent('download'), licence.click()]);
      assert.match(download.url(), /\/documents\/[A-Za-z0-9._-]+$/);
      assert.equal(download.suggestedFilename(), 'Medical licence.pdf');
      assert.deepEqual(await readFile(await download.path()), LICENCE_PDF);
      await card.getByRole('textbox', { name: 'Reason' }).fill('Licence BER-2011-4711 confirmed with the Ärztekammer');
      await card.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('status').filter({ hasText: 'Doctor verified.' }).waitFor();

      assert.equal(await directoryEntries(server, 'Wilson'), 1, 'the verified doctor is found by specialty, language and name');
      const query = new URLSearchParams({ 'practitioner.name': 'Wilson', _include: 'PractitionerRole:practitioner' });
      const bundle = (await (
        await fetch(`${server.url}/fhir/PractitionerRole?${query.toString()}`, { headers: { Accept: 'application/fhir+json' } })
      ).json()) as { entry: { resource: { resourceType: string } }[] };
      const practitioner = bundle.entry.find((entry) => entry.resource.resourceType === 'Practitioner')?.resource as unknown as {
        qualification: { issuer: { display: string }; period: { start: string; end?: string } }[];
      };
      assert.deepEqual(
        practitioner.qualification.map((q) => [q.issuer.display, q.period.start, q.period.end]),
        [
          ['Charité Berlin', '2011-07-01', undefined],
          ['Ärztekammer Berlin', '2016-03-01', '2031-02-28'],
        ],
      );
    }),
  );

  it('the doctor sees the profile verified', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-onboarding-doctor-verified', async (page) => {
      await signInToClinician(page, server, doctor);
      await page.goto(`${server.url}/clinician/onboarding`);
      await page.getByRole('status').filter({ hasText: 'Verified: patients find you' }).waitFor();
      assert.equal(await page.getByLabel('Work phone').inputValue(), '+49 30 1234567');
      // What was verified stays: the licence is listed, without removal.
      await page.locator('mat-step-header', { hasText: 'Licence documents' }).click();
      await page.getByRole('button', { name: 'Download Medical licence' }).waitFor();
      assert.equal(await page.getByRole('button', { name: /^Remove / }).count(), 0);
      await screenshot(page, 'clinician-onboarding-verified-desktop');

      // A renewed licence replaces it: the old one stays, marked superseded, and cannot be replaced again.
      await page.getByRole('button', { name: 'Replace Medical licence' }).click();
      await page.getByRole('status').filter({ hasText: 'Choose the file that replaces Medical licence.' }).waitFor();
      await page
        .getByLabel('Licence or certificate file')
        .setInputFiles({ name: 'licence-2031.pdf', mimeType: 'application/pdf', buffer: LICENCE_PDF });
      await page.getByText('Replaces: Medical licence').waitFor();
      await page.getByLabel('Document title').fill('Medical licence 2031');
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'licence-2031.pdf is uploaded and replaces Medical licence.' }).waitFor();
      await page.reload();
      await page.locator('mat-step-header', { hasText: 'Licence documents' }).click();
      await page.getByRole('button', { name: 'Replace Medical licence 2031' }).waitFor();
      const old = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: 'Download Medical licence', exact: true }) });
      await old.getByText('superseded').waitFor();
      assert.equal(await old.getByRole('button', { name: /^Replace / }).count(), 0, 'a superseded document is not replaced again');
    }),
  );
});
