import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { FhirApi, seedFinishedConsultation } from './fhir-api';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, launchChromium, OUTPUT_DIR, screenshot, withPage } from './support/browser';
import { signInToClinician } from './clinician-sign-in';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';

describe('clinician portal: a doctor’s patients, charts and reviews; the admin area refuses a doctor', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let doctor: Account;
  let patientInCare: FhirApi;
  let otherPatient: FhirApi;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'server-patients.log'));
      browser = await launchChromium();
      doctor = await server.registerVerified({ role: 'doctor', givenName: 'Allison', familyName: 'Cameron' });
      const admin = await FhirApi.signIn(server, server.admin);
      const doctorApi = await FhirApi.signIn(server, doctor);
      patientInCare = await FhirApi.signIn(
        server,
        await server.registerVerified({ role: 'patient', givenName: 'Maria', familyName: 'Keller' }),
      );
      otherPatient = await FhirApi.signIn(
        server,
        await server.registerVerified({ role: 'patient', givenName: 'Otto', familyName: 'Fremd' }),
      );
      const { roleId, encounterId } = await seedFinishedConsultation(admin, doctorApi, patientInCare);
      // What the patients keep in their own records.
      for (const [patient, text] of [
        [patientInCare, 'Essential hypertension'],
        [otherPatient, 'Confidential diagnosis'],
      ] as const) {
        await patient.request('POST', 'Condition', {
          resourceType: 'Condition',
          subject: { reference: patient.profile },
          code: { text },
          clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
          recordedDate: '2026-10-01',
        });
      }
      await patientInCare.request('POST', 'AllergyIntolerance', {
        resourceType: 'AllergyIntolerance',
        patient: { reference: patientInCare.profile },
        code: { text: 'Penicillin' },
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      });
      await patientInCare.request('POST', 'Observation', {
        resourceType: 'Observation',
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
        code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }], text: 'Body weight' },
        subject: { reference: patientInCare.profile },
        effectiveDateTime: '2026-11-20T08:00:00Z',
        valueQuantity: { value: 72, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
      });
      await patientInCare.request('POST', 'QuestionnaireResponse', {
        resourceType: 'QuestionnaireResponse',
        questionnaire: 'https://medbuddy.dev/fhir/Questionnaire/consultation-review',
        status: 'completed',
        subject: { reference: `PractitionerRole/${roleId}` },
        encounter: { reference: `Encounter/${encounterId}` },
        authored: new Date().toISOString(),
        author: { reference: patientInCare.profile },
        item: [
          { linkId: 'rating', answer: [{ valueCoding: { system: 'https://medbuddy.dev/fhir/CodeSystem/review-rating', code: '4' } }] },
          { linkId: 'comment', answer: [{ valueString: 'Took time to explain everything.' }] },
        ],
      });
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists only the patient in care and shows their chart read-only', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-patients', async (page) => {
      await signInToClinician(page, server, doctor);
      await page.getByRole('link', { name: 'Patients' }).click();
      await page.waitForURL(`${server.url}/clinician/patients`);
      const list = page.getByRole('navigation', { name: 'Patients' });
      await list.getByRole('link', { name: /Maria Keller/ }).waitFor();
      assert.equal(await list.getByRole('link').count(), 1, 'only the patient with a care relationship is listed');
      assert.equal(await page.getByText('Otto Fremd').count(), 0);
      await screenshot(page, 'clinician-patients-desktop');
      await expectAccessible(page, 'the patient list');

      await list.getByRole('link', { name: /Maria Keller/ }).click();
      await page.getByRole('heading', { name: 'Maria Keller', level: 1 }).waitFor();
      await page.getByText('Essential hypertension').first().waitFor();
      await page.getByText('Penicillin').waitFor();
      await page.getByText(/Consultation · finished/).waitFor();
      await page.getByText('Body weight: 72 kg · Nov 20, 2026').waitFor();
      assert.equal(await page.getByRole('button', { name: /save|edit|delete/i }).count(), 0, 'the chart is read-only');
      await screenshot(page, 'clinician-patient-chart-desktop');
      await expectAccessible(page, 'the patient chart');
    }),
  );

  it('a patient without a care relationship is unreachable: their chart URL shows an error', { timeout: 120_000 }, () =>
    withPage(
      browser,
      DESKTOP,
      'clinician-patient-refused',
      async (page) => {
        await signInToClinician(page, server, doctor);
        await page.goto(`${server.url}/clinician/patients/${otherPatient.profile.replace('Patient/', '')}`);
        await page.getByRole('alert').waitFor();
        assert.equal(await page.getByText('Confidential diagnosis').count(), 0);
        assert.equal(await page.getByText('Otto').count(), 0);
        await screenshot(page, 'clinician-patient-refused-desktop');
      },
      [/the server responded with a status of 404/],
    ),
  );

  it('shows the doctor their rating and reviews', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-reviews', async (page) => {
      await signInToClinician(page, server, doctor);
      await page.getByRole('link', { name: 'My reviews' }).click();
      await page.getByRole('status').filter({ hasText: 'Average rating 4.0 out of 5 from 1 review' }).waitFor();
      await page.getByText('Took time to explain everything.').waitFor();
      await screenshot(page, 'clinician-reviews-desktop');
      await expectAccessible(page, 'my reviews');
    }),
  );

  it('refuses a doctor the admin area: the route sends them home and the API answers 403', { timeout: 120_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-admin-refused-doctor', async (page) => {
      await signInToClinician(page, server, doctor);
      for (const area of ['admin/verification', 'admin/audit']) {
        await page.goto(`${server.url}/clinician/${area}`);
        await page.waitForURL(`${server.url}/clinician/home`);
      }
      const doctorApi = await FhirApi.signIn(server, doctor);
      const audit = await doctorApi.send('GET', 'AuditEvent?_count=1');
      assert.equal(audit.status, 403);
      assert.equal(audit.body.resourceType, 'OperationOutcome');
      const verify = await doctorApi.send('POST', `${doctorApi.profile}/$verify`, {
        resourceType: 'Parameters',
        parameter: [
          { name: 'status', valueCode: 'validated' },
          { name: 'reason', valueString: 'self-service' },
        ],
      });
      assert.equal(verify.status, 403);
      assert.equal(verify.body.resourceType, 'OperationOutcome');
    }),
  );
});
