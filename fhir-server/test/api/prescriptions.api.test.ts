import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Binary, Bundle, Encounter, MedicationRequest, Provenance } from '@medplum/fhirtypes';
import { consultation, createAs } from '../setup/consultation';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * Prescriptions (issue 7): MedicationRequests grouped by groupIdentifier, written and cancelled
 * only by the prescriber; `$pdf` renders the prescription with pdfmake and signs it (PKCS#7
 * detached, checked here with poppler's pdfsig, a verifier independent of the signing code),
 * and a Provenance records the signature.
 */
const FHIR_JSON = 'application/fhir+json';
const RX_SYSTEM = 'https://medbuddy.dev/fhir/identifier/prescription';
let server: TestServer;
let patient: Actor;
let doctor: Actor;
let colleague: Actor;
let stranger: Actor;
let encounter: Encounter;
let amlodipine: MedicationRequest;
let metformin: MedicationRequest;
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'medbuddy-rx-'));

function item(prescriber: string, group: string, code: string, display: string, dosage: string): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    groupIdentifier: { system: RX_SYSTEM, value: group },
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code, display }] },
    subject: { reference: patient.profile },
    encounter: { reference: `Encounter/${encounter.id}` },
    authoredOn: '2026-12-20T09:15:00Z',
    requester: { reference: prescriber },
    dosageInstruction: [{ text: dosage }],
    dispenseRequest: {
      numberOfRepeatsAllowed: 2,
      quantity: { value: 30, unit: 'tablet' },
      validityPeriod: { start: '2026-12-20', end: '2027-03-20' },
    },
  };
}

async function pdfOf(actor: Actor, id: string): Promise<{ binary: Binary; file: string }> {
  const res = await actor.agent.get(`/fhir/MedicationRequest/${id}/$pdf`).expect(200);
  const binary = JSON.parse(res.text) as Binary;
  expect(binary.contentType).toBe('application/pdf');
  const file = path.join(folder, `${binary.id}.pdf`);
  fs.writeFileSync(file, Buffer.from(binary.data as string, 'base64'));
  return { binary, file };
}

function pdfsig(file: string): string {
  const run = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`;
}

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  colleague = await server.actAsDoctor();
  stranger = await server.actAsDoctor();
  const practitioner = JSON.parse((await server.request.get(`/fhir/${doctor.profile}`).expect(200)).text);
  await server.request
    .put(`/fhir/${doctor.profile}`)
    .set('Content-Type', FHIR_JSON)
    .send(
      JSON.stringify({
        ...practitioner,
        name: [{ prefix: ['Dr.'], given: ['Lena'], family: 'Weber' }],
        qualification: [{ code: { text: 'MD, specialist in internal medicine' } }],
      }),
    )
    .expect(200);
  ({ encounter } = await consultation(server, patient.profile as string, doctor.profile as string));
  await consultation(server, patient.profile as string, colleague.profile as string, 'finished');
  amlodipine = await createAs(
    doctor.agent,
    item(doctor.profile as string, 'RX-1', '197361', 'Amlodipine 5 MG Oral Tablet', 'One tablet daily'),
  );
  metformin = await createAs(
    doctor.agent,
    item(
      doctor.profile as string,
      'RX-1',
      '860975',
      '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet',
      'Twice daily with meals',
    ),
  );
}, 180_000);
afterAll(async () => {
  await server.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

describe('only the prescriber writes and cancels', () => {
  const post = (actor: Actor, body: MedicationRequest) =>
    actor.agent.post('/fhir/MedicationRequest').set('Content-Type', FHIR_JSON).send(JSON.stringify(body));

  test('the patient, a colleague and a stranger cannot prescribe; nobody prescribes in another name', async () => {
    const rx = (prescriber: string) => item(prescriber, 'RX-X', '197361', 'Amlodipine 5 MG Oral Tablet', 'daily');
    expectOutcome(await post(patient, rx(doctor.profile as string)), 403, 'forbidden');
    expectOutcome(await post(colleague, rx(colleague.profile as string)), 403, 'forbidden');
    expectOutcome(await post(stranger, rx(stranger.profile as string)), 403, 'forbidden');
    expectOutcome(await post(doctor, rx(colleague.profile as string)), 403, 'forbidden');
  });

  test('bad input: a medication outside the value set, a missing groupIdentifier', async () => {
    const unknown = item(doctor.profile as string, 'RX-X', '0000', 'Snake oil', 'daily');
    expectOutcome(await post(doctor, unknown), 400, 'code-invalid');
    const { groupIdentifier: _none, ...ungrouped } = item(doctor.profile as string, 'RX-X', '197361', 'Amlodipine', 'daily');
    expectOutcome(await post(doctor, ungrouped), 400, 'required');
  });

  test('an issued item only changes by cancellation, by its prescriber, and is never deleted', async () => {
    const extra = await createAs(doctor.agent, item(doctor.profile as string, 'RX-2', '197361', 'Amlodipine 5 MG Oral Tablet', 'daily'));
    const put = (actor: Actor, body: MedicationRequest) =>
      actor.agent.put(`/fhir/MedicationRequest/${extra.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(body));
    expectOutcome(await put(doctor, { ...extra, dosageInstruction: [{ text: 'twice daily' }] }), 422, 'business-rule');
    expectOutcome(await put(colleague, { ...extra, status: 'cancelled' }), 403, 'forbidden');
    expectOutcome(await put(patient, { ...extra, status: 'cancelled' }), 403, 'forbidden');
    expectOutcome(await doctor.agent.delete(`/fhir/MedicationRequest/${extra.id}`), 422, 'business-rule');
    await put(doctor, { ...extra, status: 'cancelled' }).expect(200);
    expectOutcome(await put(doctor, { ...extra, status: 'active' }), 422, 'business-rule');
    expectOutcome(await doctor.agent.get(`/fhir/MedicationRequest/${extra.id}/$pdf`), 422, 'business-rule');
  });
});

describe('the signed prescription PDF', () => {
  test('the patient downloads it; pdfsig finds a valid signature, and a tampered copy fails', async () => {
    const { binary, file } = await pdfOf(patient, amlodipine.id as string);
    const report = pdfsig(file);
    expect(report).toContain('Signature is Valid');
    expect(report).toContain('Total document signed');

    const pdf = fs.readFileSync(file);
    const text = pdf.toString('latin1');
    // Change one character of the page content inside the signed byte range.
    const at = text.indexOf('Weber');
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(pdf);
    tampered[at] = 'X'.charCodeAt(0);
    const tamperedFile = path.join(folder, 'tampered.pdf');
    fs.writeFileSync(tamperedFile, tampered);
    expect(pdfsig(tamperedFile)).not.toContain('Signature is Valid');
    expect(pdfsig(tamperedFile)).toContain('Digest Mismatch');

    // Page 1 as an image, for a person to look at (kept when MEDBUDDY_KEEP_PDF is set).
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, path.join(folder, 'page')]);
    expect(fs.statSync(path.join(folder, 'page.png')).size).toBeGreaterThan(1000);
    if (process.env.MEDBUDDY_KEEP_PDF) {
      fs.copyFileSync(file, process.env.MEDBUDDY_KEEP_PDF);
      fs.copyFileSync(path.join(folder, 'page.png'), `${process.env.MEDBUDDY_KEEP_PDF}.png`);
    }
    expect(binary.id).toMatch(/^rx-/);
  });

  test('one document per prescription: both items, the same on every download, one Provenance with the signature', async () => {
    const first = await pdfOf(patient, amlodipine.id as string);
    const again = await pdfOf(doctor, metformin.id as string);
    expect(again.binary.id).toBe(first.binary.id);
    expect(again.binary.data).toBe(first.binary.data);
    const text = execFileSync('pdftotext', [first.file, '-']).toString('utf8');
    for (const expected of [
      'Amlodipine',
      'Metformin',
      'Dr. Lena Weber',
      'MD, specialist in internal medicine',
      'No. RX-1',
      'Twice daily with meals',
    ]) {
      expect(text).toContain(expected);
    }
    const bundle = JSON.parse((await patient.agent.get(`/fhir/Provenance?patient=${patient.profile}`).expect(200)).text) as Bundle;
    const signatures = (bundle.entry ?? [])
      .map((e) => e.resource as Provenance)
      .filter((p) => p.entity?.[0]?.what.reference === `Binary/${first.binary.id}`);
    expect(signatures).toHaveLength(1);
    expect(signatures[0].target.map((t) => t.reference)).toEqual(
      expect.arrayContaining([`MedicationRequest/${amlodipine.id}/_history/1`, `MedicationRequest/${metformin.id}/_history/1`]),
    );
    expect(signatures[0].signature?.[0]).toMatchObject({ sigFormat: 'application/pkcs7-signature', who: { reference: doctor.profile } });
    // The recorded signature is the one embedded in the PDF (its /Contents, hex).
    const embedded = Buffer.from(signatures[0].signature?.[0].data as string, 'base64').toString('hex');
    expect(fs.readFileSync(first.file).toString('latin1').toLowerCase()).toContain(embedded);
  });

  test('someone without access to the item gets 404; GET only', async () => {
    const other = await server.actAsPatient();
    expectOutcome(await other.agent.get(`/fhir/MedicationRequest/${amlodipine.id}/$pdf`), 404, 'not-found');
    expectOutcome(await stranger.agent.get(`/fhir/MedicationRequest/${amlodipine.id}/$pdf`), 404, 'not-found');
  });
});
