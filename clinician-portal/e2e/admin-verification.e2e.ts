import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, screenshot, withPage } from './support/browser';
import { signInToClinician } from './clinician-sign-in';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';

describe('clinician portal: admin verification queue', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let doctor: Account;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'server-admin.log'));
      browser = await launchChromium();
      doctor = await server.registerVerified({ role: 'doctor', givenName: 'Lisa', familyName: 'Cuddy' });
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a doctor is refused the admin area', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-admin-refused', async (page) => {
      await signInToClinician(page, server, doctor);
      await page.goto(`${server.url}/clinician/admin/verification`);
      await page.waitForURL(`${server.url}/clinician/home`);
      await page.getByText('pending verification').waitFor();
    }),
  );

  it('an administrator verifies the pending doctor with a reason', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-admin-verification', async (page) => {
      await signInToClinician(page, server, server.admin);
      await page.getByRole('link', { name: 'Doctors awaiting verification' }).click();
      const card = page.locator('mat-card', { hasText: 'Lisa Cuddy' });
      await card.first().waitFor();
      await screenshot(page, 'clinician-admin-verification-desktop');
      await expectAccessible(page, 'the verification queue');
      await card.first().getByRole('textbox', { name: 'Reason' }).fill('Licence checked with the medical council');
      await card.first().getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('status').filter({ hasText: 'Doctor verified.' }).waitFor();
      await page.reload();
      await page.getByText('No doctor is waiting for verification.').waitFor();

      const directory = await fetch(`${server.url}/fhir/Practitioner?name=Cuddy&active=true`, {
        headers: { Accept: 'application/fhir+json' },
      });
      const bundle = (await directory.json()) as { entry?: unknown[] };
      assert.equal(bundle.entry?.length, 1, 'the verified doctor is listed in the public directory');
    }),
  );

  it('an administrator browses the audit trail filtered by type', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-admin-audit', async (page) => {
      await signInToClinician(page, server, server.admin);
      await page.getByRole('main').getByRole('link', { name: 'Audit trail' }).click();
      await page.waitForURL(`${server.url}/clinician/admin/audit`);
      const rows = page.locator('table.audit tbody tr');
      await rows.first().waitFor();
      await page.getByRole('textbox', { name: 'Type' }).fill('110114');
      const filtered = page.waitForResponse(
        (response) => response.url().includes('/fhir/AuditEvent?') && response.url().includes('type=110114'),
      );
      await page.getByRole('button', { name: 'Search' }).click();
      assert.equal((await filtered).status(), 200);
      await page.getByRole('progressbar').waitFor({ state: 'detached' });
      assert.equal(await page.getByText('No audit event matches.').count(), 0, 'sign-ins are audited');
      assert.ok((await rows.count()) >= 1);
      await screenshot(page, 'clinician-admin-audit-desktop');
      await expectAccessible(page, 'the audit trail');
    }),
  );
});
