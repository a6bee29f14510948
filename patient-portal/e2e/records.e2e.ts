import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Download, Page } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, PHONE, screenshot, withPage } from './support/browser';
import { signInOnLoginPage } from './support/login-page';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';
import { AdminFhir } from './directory-seed';
import { AccountFhir, seedFinishedConsultation, type ConsultationRecord } from './records-seed';

/**
 * The medical record pages against the real server: prescriptions and their signed PDF, reports
 * (drag and drop upload with progress, signed-URL download), the history timeline, booking the
 * follow-up the doctor recommended, and reviewing the finished consultation. The doctor's part
 * (note, prescription, follow-up) is done through the FHIR API with the doctor's own token.
 */
describe('patient portal: medical records', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let admin: AdminFhir;
  let maria: Account;
  let mariaFhir: AccountFhir;
  let record: ConsultationRecord;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'records-server.log'));
      browser = await launchChromium();
      admin = await AdminFhir.signIn(server);
      maria = await server.registerVerified({ role: 'patient', givenName: 'Maria', familyName: 'Garcia' });
      mariaFhir = await AccountFhir.signIn(server, maria);
      const doctor = await server.registerVerified({ role: 'doctor', givenName: 'Lena', familyName: 'Weber' });
      record = await seedFinishedConsultation(server, admin, mariaFhir, doctor);
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(page: Page, account: Account): Promise<void> {
    await page.goto(`${server.url}/patient/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
    await signInOnLoginPage(page, account);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  async function menu(page: Page, name: string): Promise<void> {
    const button = page.getByRole('button', { name: 'Open the menu' });
    if (await button.isVisible()) {
      await button.click();
    }
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name, exact: true }).click();
  }

  async function downloaded(page: Page, click: () => Promise<void>): Promise<{ download: Download; bytes: Buffer }> {
    const [download] = await Promise.all([page.waitForEvent('download'), click()]);
    return { download, bytes: await readFile(await download.path()) };
  }

  it('lists the prescription and opens its signed PDF', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'records-prescriptions', async (page) => {
      await signIn(page, maria);
      await menu(page, 'Prescriptions');
      await page.getByRole('heading', { name: 'Your prescriptions' }).waitFor();
      await page.getByText('Amlodipine 5 MG Oral Tablet').waitFor();
      await page.getByText('Prescribed by Dr. Lena Weber').or(page.getByText('Prescribed by Lena Weber')).waitFor();
      await page.getByText(/Metformin hydrochloride 500 MG/).waitFor();
      await screenshot(page, 'records-prescriptions-desktop');
      await expectAccessible(page, 'the prescriptions page');

      const { download, bytes } = await downloaded(page, () =>
        page.getByRole('button', { name: /^Download PDF of the prescription/ }).click(),
      );
      assert.match(download.suggestedFilename(), /^prescription-.*\.pdf$/);
      const pdf = bytes.toString('latin1');
      assert.ok(pdf.startsWith('%PDF-'));
      // Signed: a PKCS#7 detached signature over a byte range.
      assert.match(pdf, /adbe\.pkcs7\.detached/);
      assert.match(pdf, /\/ByteRange/);

      const [tab] = await Promise.all([
        page.context().waitForEvent('page'),
        page.getByRole('button', { name: /^Open PDF of the prescription/ }).click(),
      ]);
      assert.match(tab.url(), /^blob:/);
    }),
  );

  it('uploads a report by drag and drop with a progress bar, another with the file picker, and downloads it', { timeout: 180_000 }, () =>
    withPage(
      browser,
      DESKTOP,
      'records-reports',
      async (page) => {
        await signIn(page, maria);
        await menu(page, 'Reports');
        await page.getByRole('heading', { name: 'Your reports' }).waitFor();
        await page.getByText('No reports yet.').waitFor();
        await screenshot(page, 'records-reports-empty-desktop');
        await expectAccessible(page, 'the reports page');

        // Drag and drop a 3 MB PDF, with the upload slowed down so the progress shows.
        await page.evaluate(() => {
          const file = new File([`%PDF-1.4\n${'%'.repeat(3_000_000)}\n%%EOF\n`], 'blood-panel.pdf', { type: 'application/pdf' });
          const data = new DataTransfer();
          data.items.add(file);
          const zone = document.querySelector('[data-testid="drop-zone"]') as HTMLElement;
          zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
          zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
        });
        await page.getByText('Selected: blood-panel.pdf').waitFor();
        await page.getByLabel('Title').fill('Blood panel');
        await page.getByLabel('Date of the report').fill('2026-11-20');
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: 20,
          downloadThroughput: -1,
          uploadThroughput: 1_000_000,
        });
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        const progress = page.getByRole('progressbar', { name: /^Uploading/ });
        await progress.waitFor();
        await screenshot(page, 'records-reports-uploading-desktop');
        await page.getByRole('status').filter({ hasText: 'blood-panel.pdf is uploaded.' }).waitFor({ timeout: 60_000 });
        await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
        await page.getByRole('heading', { name: 'Blood panel' }).waitFor();

        // The keyboard way: the "Choose a file" button opens the file picker.
        const png = Buffer.from(
          'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
          'base64',
        );
        const [chooser] = await Promise.all([
          page.waitForEvent('filechooser'),
          page.getByRole('button', { name: 'Choose a file' }).press('Enter'),
        ]);
        await chooser.setFiles({ name: 'x-ray.png', mimeType: 'image/png', buffer: png });
        await page.getByLabel('Kind of report').selectOption('Imaging');
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        await page.getByRole('status').filter({ hasText: 'x-ray.png is uploaded.' }).waitFor();
        await page.getByRole('heading', { name: 'x-ray' }).waitFor();
        // Listed again by the server, each report says who added it.
        await page.reload();
        await page.getByRole('heading', { name: 'x-ray' }).waitFor();
        assert.equal(await page.getByText(/ · added by you$/).count(), 2);
        await screenshot(page, 'records-reports-desktop');
        await expectAccessible(page, 'the reports page with reports');

        // Download through the signed URL: the very bytes that were uploaded.
        const { download, bytes } = await downloaded(page, () => page.getByRole('button', { name: 'Download x-ray' }).click());
        assert.match(download.url(), /\/documents\/[A-Za-z0-9._-]+$/);
        assert.deepEqual(bytes, png);
        assert.equal(download.suggestedFilename(), 'x-ray.png');

        // A file the server refuses (not a PDF or image) is explained.
        await page.evaluate(() => {
          const data = new DataTransfer();
          data.items.add(new File(['just text'], 'notes.pdf', { type: 'application/pdf' }));
          const zone = document.querySelector('[data-testid="drop-zone"]') as HTMLElement;
          zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
        });
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        await page.getByRole('alert').waitFor();
        assert.match((await page.getByRole('alert').textContent()) ?? '', /type|PDF|accepted/i);
      },
      [/status of 415/],
    ),
  );

  it('shows the medical history as a timeline, filterable by kind', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'records-history', async (page) => {
      await signIn(page, maria);
      await menu(page, 'Medical history');
      await page.getByRole('heading', { name: 'Your medical history' }).waitFor();
      const entries = page.locator('ol.timeline > li');
      await page.getByRole('article', { name: /^Consultation: / }).waitFor();
      await page.getByRole('article', { name: /^Note from your doctor: Consultation note/ }).waitFor();
      await page.getByText('Assessment: Hypertension, stage 1.').waitFor();
      await page.getByRole('article', { name: /^Report: Blood panel/ }).waitFor();
      const kindsShown = () => entries.evaluateAll((items) => items.map((item) => item.className.match(/kind-(\w+)/)?.[1]).sort());
      // The consultation, its signed note, two medicines, two reports (the refused upload left nothing).
      assert.deepEqual(await kindsShown(), ['consultation', 'note', 'prescription', 'prescription', 'report', 'report']);
      // Newest first.
      const dates = await page.locator('ol.timeline time').evaluateAll((times) => times.map((time) => time.getAttribute('datetime') ?? ''));
      assert.deepEqual(
        dates,
        [...dates].sort((a, b) => Date.parse(b) - Date.parse(a)),
      );
      await screenshot(page, 'records-history-desktop');
      await expectAccessible(page, 'the history page');

      // Keyboard filter: only prescriptions.
      for (const name of [/^Consultations/, /^Notes/, /^Reports/]) {
        await page.getByRole('option', { name }).focus();
        await page.keyboard.press('Space');
      }
      await page.waitForFunction(() => document.querySelectorAll('ol.timeline > li').length === 2);
      assert.deepEqual(await kindsShown(), ['prescription', 'prescription']);
      await screenshot(page, 'records-history-filtered-desktop');
    }),
  );

  it('books the recommended follow-up in one step, linked to the recommendation', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'records-follow-ups', async (page) => {
      await signIn(page, maria);
      await menu(page, 'Follow-ups');
      await page.getByRole('heading', { name: /^Follow-up with .*Weber/ }).waitFor();
      await page.getByText('Check your blood pressure with me after two weeks of amlodipine.').waitFor();
      const times = page.getByRole('button', { name: /^Book the follow-up on / });
      await times.first().waitFor();
      assert.equal(await times.count(), 3);
      await screenshot(page, 'records-follow-ups-desktop');
      await expectAccessible(page, 'the follow-ups page');

      await times.first().focus();
      await page.keyboard.press('Enter');
      await page
        .getByRole('status')
        .filter({ hasText: /is booked for/ })
        .waitFor();
      await page.getByText(/^Booked for /).waitFor();
      await screenshot(page, 'records-follow-ups-booked-desktop');

      const booked = await mariaFhir.request<{
        entry?: { resource: { status: string; basedOn?: { reference: string }[]; slot?: { reference: string }[] } }[];
      }>('GET', `Appointment?based-on=ServiceRequest/${record.followUpId}`);
      assert.equal(booked.entry?.length, 1);
      assert.equal(booked.entry?.[0].resource.status, 'booked');
      assert.deepEqual(booked.entry?.[0].resource.slot, [{ reference: `Slot/${record.slotIds[0]}` }]);

      // Reloading keeps it booked (the appointment is found through the recommendation).
      await page.reload();
      await page.getByText(/^Booked for /).waitFor();
      assert.equal(await times.count(), 0);
    }),
  );

  it('reviews the finished consultation from the history, once', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'records-review', async (page) => {
      await signIn(page, maria);
      await menu(page, 'Medical history');
      await page.getByRole('link', { name: 'Review this consultation' }).click();
      await page.getByRole('heading', { name: 'Review your consultations' }).waitFor();
      await page.getByRole('radiogroup').waitFor();
      // Publishing without a rating says what is missing.
      await page.getByRole('button', { name: 'Publish review' }).click();
      await page.getByText('Choose a rating from 1 to 5 stars.').waitFor();
      await screenshot(page, 'records-review-form-desktop');
      await expectAccessible(page, 'the review form');

      // Keyboard only: arrows move through the stars, Tab to the comment, Enter publishes.
      await page.getByRole('radio', { name: '1 star: poor' }).focus();
      await page.keyboard.press('Space');
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press('ArrowDown');
      }
      assert.equal(await page.getByRole('radio', { name: '4 stars: very good' }).isChecked(), true);
      await page.keyboard.press('Tab');
      await page.keyboard.type('Clear explanations, no rush.');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Thank you' }).waitFor();
      await page.getByText('Your rating: 4 stars: very good').waitFor();
      await screenshot(page, 'records-review-done-desktop');

      const role = await admin.request<{ extension?: { url: string; valueDecimal?: number; valueUnsignedInt?: number }[] }>(
        'GET',
        `PractitionerRole/${record.roleId}`,
      );
      const ext = (name: string) => role.extension?.find((e) => e.url.endsWith(`/${name}`));
      assert.equal(ext('average-rating')?.valueDecimal, 4);
      assert.equal(ext('review-count')?.valueUnsignedInt, 1);
      await page.reload();
      await page.getByText('Your rating: 4 stars: very good').waitFor();
      assert.equal(await page.getByRole('button', { name: /^Write a review/ }).count(), 0);
    }),
  );

  it('works on a phone: every record page fits the screen and passes axe', { timeout: 180_000 }, () =>
    withPage(browser, PHONE, 'records-phone', async (page) => {
      await signIn(page, maria);
      for (const [item, heading, shot] of [
        ['Prescriptions', 'Your prescriptions', 'records-prescriptions-phone'],
        ['Reports', 'Your reports', 'records-reports-phone'],
        ['Medical history', 'Your medical history', 'records-history-phone'],
        ['Follow-ups', 'Follow-ups', 'records-follow-ups-phone'],
        ['Reviews', 'Review your consultations', 'records-reviews-phone'],
      ] as const) {
        await menu(page, item);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await page.locator('mat-progress-bar[mode="indeterminate"]').waitFor({ state: 'detached' });
        await screenshot(page, shot);
        await expectAccessible(page, `${item} on a phone`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${item} scrolls sideways by ${overflow}px`);
      }
    }),
  );

  it("another patient sees none of Maria's records, in the portal or through the API", { timeout: 120_000 }, async () => {
    const other = await server.registerVerified({ role: 'patient', givenName: 'Omar', familyName: 'Haddad' });
    const otherFhir = await AccountFhir.signIn(server, other);
    assert.equal((await otherFhir.send('GET', `MedicationRequest/${record.prescriptionIds[0]}/$pdf`)).status, 404);
    assert.equal((await otherFhir.send('GET', `Patient/${mariaFhir.profile.split('/')[1]}/$everything`)).status, 404);
    await withPage(browser, DESKTOP, 'records-other-patient', async (page) => {
      await signIn(page, other);
      await menu(page, 'Prescriptions');
      await page.getByText('No prescriptions yet.', { exact: false }).waitFor();
      await menu(page, 'Medical history');
      await page.getByText('Nothing to show yet.', { exact: false }).waitFor();
      await menu(page, 'Follow-ups');
      await page.getByText('No follow-ups recommended at the moment.').waitFor();
    });
  });
});
