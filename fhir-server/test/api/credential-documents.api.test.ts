import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Binary, Bundle, DocumentReference, Parameters } from '@medplum/fhirtypes';
import { binaryIdOf, downloadBytes, samplePdf, samplePng, sha1Base64, uploadDocument } from '../setup/documents';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * A practitioner's credential documents (licence, diplomas): DocumentReferences about their
 * own Practitioner in the `practitioner-credential` category, and their Binaries. The doctor
 * uploads, reads and (until verified) removes them; administrators read them to verify the
 * doctor; patients and other doctors never see them, by read, search, _include or _revinclude.
 */
const FHIR_JSON = 'application/fhir+json';
const CATEGORY = 'https://medbuddy.dev/fhir/CodeSystem/document-category|practitioner-credential';
let dataDir: string;
let server: TestServer;
let doctor: Actor;
let otherDoctor: Actor;
let patient: Actor;
let admin: Actor;
let licence: DocumentReference;
const licenceBytes = samplePdf(6000);

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'medbuddy-credentials-'));
  server = await startTestServer({ DATA_DIR: dataDir, SIGNED_URL_SECRET: 'credentials-test-secret-of-at-least-32-characters' });
  doctor = await server.actAsDoctor({ verified: false });
  otherDoctor = await server.actAsDoctor();
  patient = await server.actAsPatient();
  admin = await server.actAsAdmin();
  licence = JSON.parse(
    (
      await upload(doctor, licenceBytes, { practitioner: doctor.profile as string, title: 'Medical licence', category: 'Licence' }).expect(
        201,
      )
    ).text,
  ) as DocumentReference;
});
afterAll(async () => {
  await server?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const upload = (actor: Actor, bytes: Buffer, fields: Record<string, string>) => uploadDocument(actor, bytes, fields, 'licence.pdf');

const entries = (text: string) => ((JSON.parse(text) as Bundle).entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);

describe('the doctor and their own credentials', () => {
  test('$upload with practitioner stores a credential DocumentReference about the doctor and a Binary filed under them', async () => {
    expect(licence).toMatchObject({
      resourceType: 'DocumentReference',
      status: 'current',
      subject: { reference: doctor.profile },
      author: [{ reference: doctor.profile }],
      category: [
        {
          coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/document-category', code: 'practitioner-credential' }],
          text: 'Licence',
        },
      ],
    });
    expect(licence.content?.[0].attachment).toMatchObject({ contentType: 'application/pdf', size: 6000, title: 'Medical licence' });
    const binary = JSON.parse(
      (
        await doctor.agent
          .get(`/fhir/Binary/${binaryIdOf(licence)}`)
          .set('Accept', FHIR_JSON)
          .expect(200)
      ).text,
    );
    expect((binary as Binary).securityContext).toEqual({ reference: doctor.profile });
  });

  test('the doctor reads, searches and downloads it, directly and through a signed URL', async () => {
    await doctor.agent.get(`/fhir/DocumentReference/${licence.id}`).expect(200);
    expect(
      entries((await doctor.agent.get(`/fhir/DocumentReference?subject=${doctor.profile}&category=${CATEGORY}`).expect(200)).text),
    ).toEqual([`DocumentReference/${licence.id}`]);
    const bytes = await downloadBytes(doctor.agent, `/fhir/Binary/${binaryIdOf(licence)}`).expect(200);
    expect(sha1Base64(bytes.body as Buffer)).toBe(sha1Base64(licenceBytes));
    await doctor.agent.get(`/fhir/DocumentReference/${licence.id}/$download-url`).expect(200);
  });

  test('a raw Binary may be filed under the doctor themselves, never under another practitioner', async () => {
    await doctor.agent
      .post('/fhir/Binary')
      .set('Content-Type', 'image/png')
      .set('X-Security-Context', doctor.profile as string)
      .send(samplePng())
      .expect(201);
    const res = await otherDoctor.agent
      .post('/fhir/Binary')
      .set('Content-Type', 'image/png')
      .set('X-Security-Context', doctor.profile as string)
      .send(samplePng());
    expectOutcome(res, 403, 'forbidden');
  });

  test('credential fields are checked: no patient or encounter with them, not for someone else', async () => {
    expectOutcome(
      await upload(doctor, samplePdf(), { practitioner: doctor.profile as string, patient: patient.profile as string }),
      400,
      'invalid',
    );
    expectOutcome(await upload(otherDoctor, samplePdf(), { practitioner: doctor.profile as string }), 403, 'forbidden');
    expectOutcome(await upload(patient, samplePdf(), { practitioner: doctor.profile as string }), 403, 'forbidden');
    expectOutcome(await upload(admin, samplePdf(), { practitioner: doctor.profile as string }), 403, 'forbidden');
  });

  test('another doctor cannot write a credential document naming this doctor', async () => {
    const forged: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      subject: { reference: doctor.profile },
      category: [{ coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/document-category', code: 'practitioner-credential' }] }],
      content: [{ attachment: { contentType: 'application/pdf', url: `Binary/${binaryIdOf(licence)}`, title: 'Forged' } }],
    };
    const res = await otherDoctor.agent.post('/fhir/DocumentReference').set('Content-Type', FHIR_JSON).send(JSON.stringify(forged));
    expectOutcome(res, 403, 'forbidden');
  });
});

describe('who else sees a doctor’s credentials', () => {
  test('another doctor: 404 for the DocumentReference, its Binary and a download URL; nothing by search; deletes nothing', async () => {
    expectOutcome(await otherDoctor.agent.get(`/fhir/DocumentReference/${licence.id}`), 404, 'not-found');
    expectOutcome(await otherDoctor.agent.get(`/fhir/Binary/${binaryIdOf(licence)}`), 404, 'not-found');
    expectOutcome(await otherDoctor.agent.get(`/fhir/DocumentReference/${licence.id}/$download-url`), 404, 'not-found');
    expect(entries((await otherDoctor.agent.get(`/fhir/DocumentReference?subject=${doctor.profile}`).expect(200)).text)).toEqual([]);
    expect(entries((await otherDoctor.agent.get(`/fhir/DocumentReference?category=${CATEGORY}`).expect(200)).text)).toEqual([]);
    // A delete of what the caller cannot see deletes nothing (answered as if already gone).
    await otherDoctor.agent.delete(`/fhir/DocumentReference/${licence.id}`);
    await otherDoctor.agent.delete(`/fhir/Binary/${binaryIdOf(licence)}`);
    await doctor.agent.get(`/fhir/DocumentReference/${licence.id}`).expect(200);
    await downloadBytes(doctor.agent, `/fhir/Binary/${binaryIdOf(licence)}`).expect(200);
  });

  test('a patient: 404 for both, nothing by search, nor through _include or _revinclude of a verified doctor', async () => {
    const verified = await server.actAsDoctor();
    const own = JSON.parse(
      (await upload(verified, samplePdf(), { practitioner: verified.profile as string }).expect(201)).text,
    ) as DocumentReference;
    for (const document of [licence, own]) {
      expectOutcome(await patient.agent.get(`/fhir/DocumentReference/${document.id}`), 404, 'not-found');
      expectOutcome(await patient.agent.get(`/fhir/Binary/${binaryIdOf(document)}`), 404, 'not-found');
      expectOutcome(await patient.agent.get(`/fhir/DocumentReference/${document.id}/$download-url`), 404, 'not-found');
    }
    expect(entries((await patient.agent.get(`/fhir/DocumentReference?subject=${verified.profile}`).expect(200)).text)).toEqual([]);
    expect(entries((await patient.agent.get(`/fhir/DocumentReference?category=${CATEGORY}`).expect(200)).text)).toEqual([]);
    // The verified doctor is public; their credentials are not.
    const revinclude = await patient.agent.get(`/fhir/Practitioner?_id=${verified.id}&_revinclude=DocumentReference:subject`).expect(200);
    expect(entries(revinclude.text)).toEqual([verified.profile]);
    const revincludeAuthor = await patient.agent
      .get(`/fhir/Practitioner?_id=${verified.id}&_revinclude=DocumentReference:author`)
      .expect(200);
    expect(entries(revincludeAuthor.text)).toEqual([verified.profile]);
    const include = await patient.agent.get(`/fhir/DocumentReference?_id=${own.id}&_include=DocumentReference:subject`).expect(200);
    expect(entries(include.text)).toEqual([]);
    const everything = await patient.agent.get(`/fhir/${patient.profile}/$everything`).expect(200);
    expect(everything.text).not.toContain(own.id as string);
  });

  test('a document a patient writes about a doctor stays the patient’s: neither that doctor nor an administrator reads it', async () => {
    const written = await patient.agent
      .post('/fhir/DocumentReference')
      .set('Content-Type', FHIR_JSON)
      .send(
        JSON.stringify({
          resourceType: 'DocumentReference',
          status: 'current',
          subject: { reference: otherDoctor.profile },
          author: [{ reference: patient.profile }],
          category: [{ coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/document-category', code: 'practitioner-credential' }] }],
          content: [{ attachment: { contentType: 'text/plain', title: 'Complaint', data: Buffer.from('x').toString('base64') } }],
        } satisfies DocumentReference),
      )
      .expect(201);
    const id = (JSON.parse(written.text) as DocumentReference).id as string;
    await patient.agent.get(`/fhir/DocumentReference/${id}`).expect(200);
    expectOutcome(await otherDoctor.agent.get(`/fhir/DocumentReference/${id}`), 404, 'not-found');
    expectOutcome(await admin.agent.get(`/fhir/DocumentReference/${id}`), 404, 'not-found');
  });

  test('an administrator finds, reads and downloads the credentials (signed URL, same bytes), and no patient document', async () => {
    const patientDocument = JSON.parse((await upload(patient, samplePdf(), { title: 'Mine' }).expect(201)).text) as DocumentReference;
    expect(entries((await admin.agent.get(`/fhir/DocumentReference?subject=${doctor.profile}`).expect(200)).text)).toEqual([
      `DocumentReference/${licence.id}`,
    ]);
    const all = entries((await admin.agent.get('/fhir/DocumentReference?_count=1000').expect(200)).text);
    expect(all).toContain(`DocumentReference/${licence.id}`);
    expect(all).not.toContain(`DocumentReference/${patientDocument.id}`);
    expectOutcome(await admin.agent.get(`/fhir/DocumentReference/${patientDocument.id}`), 404, 'not-found');
    expectOutcome(await admin.agent.get(`/fhir/Binary/${binaryIdOf(patientDocument)}`), 404, 'not-found');

    const res = await admin.agent.get(`/fhir/DocumentReference/${licence.id}/$download-url`).expect(200);
    const url = (JSON.parse(res.text) as Parameters).parameter?.find((p) => p.name === 'url')?.valueUrl as string;
    const bytes = await downloadBytes(server.anonymous(), url.replace(server.publicUrl, '')).expect(200);
    expect(Buffer.compare(bytes.body as Buffer, licenceBytes)).toBe(0);
    // Reading is all: an administrator neither changes nor removes a doctor's credentials.
    expectOutcome(await admin.agent.delete(`/fhir/DocumentReference/${licence.id}`), 403, 'forbidden');
  });
});

describe('removing credentials', () => {
  test('the doctor removes a document before verification; once verified, what was verified stays', async () => {
    const extra = JSON.parse(
      (await upload(doctor, samplePdf(), { practitioner: doctor.profile as string, title: 'Wrong file' }).expect(201)).text,
    ) as DocumentReference;
    await doctor.agent.delete(`/fhir/DocumentReference/${extra.id}`).expect(204);
    await doctor.agent.delete(`/fhir/Binary/${binaryIdOf(extra)}`).expect(204);

    await server.request
      .post(`/fhir/${doctor.profile}/$verify`)
      .set('Content-Type', FHIR_JSON)
      .send(
        JSON.stringify({
          resourceType: 'Parameters',
          parameter: [
            { name: 'status', valueCode: 'validated' },
            { name: 'reason', valueString: 'Licence checked' },
          ],
        }),
      )
      .expect(200);
    expectOutcome(await doctor.agent.delete(`/fhir/DocumentReference/${licence.id}`), 403, 'forbidden');
    await doctor.agent.get(`/fhir/DocumentReference/${licence.id}`).expect(200);
    // A renewed licence can still be added.
    await upload(doctor, samplePdf(), { practitioner: doctor.profile as string, title: 'Renewed licence' }).expect(201);
  });
});

describe('replacing a document', () => {
  const replace = (actor: Actor, replaced: DocumentReference, fields: Record<string, string>) =>
    upload(actor, samplePdf(), { ...fields, replaces: `DocumentReference/${replaced.id}` });

  test('a verified doctor retires a credential by uploading its renewal: the old one is superseded, unchanged otherwise', async () => {
    // The doctor was verified above, so the licence can no longer be changed or removed by them.
    const renewal = JSON.parse(
      (await replace(doctor, licence, { practitioner: doctor.profile as string, title: 'Medical licence 2027' }).expect(201)).text,
    ) as DocumentReference;
    expect(renewal).toMatchObject({
      status: 'current',
      relatesTo: [{ code: 'replaces', target: { reference: `DocumentReference/${licence.id}` } }],
    });

    const old = JSON.parse((await admin.agent.get(`/fhir/DocumentReference/${licence.id}`).expect(200)).text) as DocumentReference;
    expect(old).toMatchObject({ status: 'superseded', meta: { versionId: '2' } });
    expect(old.content).toEqual(licence.content);
    expect((await downloadBytes(admin.agent, `/fhir/Binary/${binaryIdOf(old)}`).expect(200)).body).toEqual(licenceBytes);
    const current = JSON.parse(
      (await admin.agent.get(`/fhir/DocumentReference?subject=${doctor.profile}&status=current&_count=50`).expect(200)).text,
    ) as Bundle;
    expect(entries(JSON.stringify(current))).toContain(`DocumentReference/${renewal.id}`);
    expect(entries(JSON.stringify(current))).not.toContain(`DocumentReference/${licence.id}`);

    // What is superseded is not current any more: replacing it again is refused, and nothing is stored.
    expectOutcome(await replace(doctor, licence, { practitioner: doctor.profile as string }), 422, 'business-rule');
    expectOutcome(await doctor.agent.delete(`/fhir/DocumentReference/${licence.id}`), 403, 'forbidden');
  });

  test('no one replaces a document they cannot see or about someone else; the document stays current', async () => {
    const report = JSON.parse((await upload(patient, samplePdf(), { title: 'Lab report' }).expect(201)).text) as DocumentReference;
    const renewal = JSON.parse(
      (await upload(otherDoctor, samplePdf(), { practitioner: otherDoctor.profile as string, title: 'Licence' }).expect(201)).text,
    ) as DocumentReference;
    // This doctor's credential by another doctor; a patient's report by a doctor with no care
    // relationship; another doctor's credential by a patient; a document that does not exist.
    expectOutcome(await replace(otherDoctor, licence, { practitioner: otherDoctor.profile as string }), 422, 'business-rule');
    expectOutcome(await replace(doctor, report, { practitioner: doctor.profile as string }), 422, 'business-rule');
    expectOutcome(await replace(patient, renewal, {}), 422, 'business-rule');
    expectOutcome(await replace(patient, { id: 'no-such-document' } as DocumentReference, {}), 422, 'business-rule');
    const stored = JSON.parse((await patient.agent.get(`/fhir/DocumentReference/${report.id}`).expect(200)).text) as DocumentReference;
    expect(stored).toMatchObject({ status: 'current', meta: { versionId: '1' } });
    expect(JSON.parse((await otherDoctor.agent.get(`/fhir/DocumentReference/${renewal.id}`).expect(200)).text)).toMatchObject({
      status: 'current',
    });
    expect((await upload(patient, samplePdf(), { replaces: 'Patient/x' })).status).toBe(400);
  });

  test('a trusted backend (EHR import) is never refused: what does not fit is left alone, a current document is superseded', async () => {
    const put = (document: DocumentReference) =>
      server.request.put(`/fhir/DocumentReference/${document.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(document));
    const about = { subject: { reference: patient.profile }, content: [{ attachment: { url: 'http://ehr.example.org/docs/1' } }] };
    const replaces = (id: string) => [{ code: 'replaces' as const, target: { reference: `DocumentReference/${id}` } }];
    await put({ resourceType: 'DocumentReference', id: 'ehr-v1', status: 'superseded', ...about }).expect(201);
    await put({ resourceType: 'DocumentReference', id: 'ehr-v2', status: 'current', relatesTo: replaces('ehr-v1'), ...about }).expect(201);
    await put({ resourceType: 'DocumentReference', id: 'ehr-other', status: 'current', relatesTo: replaces('not-here'), ...about }).expect(
      201,
    );
    await put({ resourceType: 'DocumentReference', id: 'ehr-v3', status: 'current', relatesTo: replaces('ehr-v2'), ...about }).expect(201);
    const status = async (id: string) =>
      (JSON.parse((await server.request.get(`/fhir/DocumentReference/${id}`).expect(200)).text) as DocumentReference).status;
    expect([await status('ehr-v1'), await status('ehr-v2'), await status('ehr-v3')]).toEqual(['superseded', 'superseded', 'current']);
  });

  test('a patient replaces their own report through plain FHIR REST as through $upload', async () => {
    const first = JSON.parse((await upload(patient, samplePdf(), { title: 'Letter' }).expect(201)).text) as DocumentReference;
    const second: DocumentReference = {
      ...first,
      id: undefined,
      meta: undefined,
      relatesTo: [{ code: 'replaces', target: { reference: `DocumentReference/${first.id}` } }],
    };
    await patient.agent.post('/fhir/DocumentReference').set('Content-Type', FHIR_JSON).send(JSON.stringify(second)).expect(201);
    const old = JSON.parse((await patient.agent.get(`/fhir/DocumentReference/${first.id}`).expect(200)).text) as DocumentReference;
    expect(old.status).toBe('superseded');
  });
});
