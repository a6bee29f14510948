import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AuditEvent, Binary, Bundle, DocumentReference, Parameters } from '@medplum/fhirtypes';
import { UrlSigner } from '../../src/domain/documents/signed-urls';
import { binaryIdOf, downloadBytes, rawMultipart, sampleDicom, samplePdf, samplePng, sha1Base64, uploadDocument } from '../setup/documents';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * Medical documents: Binary bytes in the blob store (here the filesystem adapter), the
 * DocumentReference that describes them, downloads (Range, signed URLs) and who may see them.
 */
const FHIR_JSON = 'application/fhir+json';
const SECRET = 'documents-test-secret-of-at-least-32-characters';
const MAX_BYTES = 256 * 1024;
let dataDir: string;
let server: TestServer;
let patient: Actor;
let other: Actor;
let doctor: Actor;
let stranger: Actor;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'medbuddy-documents-'));
  server = await startTestServer({ DATA_DIR: dataDir, SIGNED_URL_SECRET: SECRET, DOCUMENT_MAX_BYTES: String(MAX_BYTES) });
  patient = await server.actAsPatient();
  other = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  stranger = await server.actAsDoctor();
  // The care relationship: an encounter of the patient with the doctor.
  await server.request
    .post('/fhir/Encounter')
    .set('Content-Type', FHIR_JSON)
    .send(
      JSON.stringify({
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
        subject: { reference: patient.profile },
        participant: [{ individual: { reference: doctor.profile } }],
      }),
    )
    .expect(201);
});
afterAll(async () => {
  await server?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const blobFile = (binaryId: string) => path.join(dataDir, 'blobs', 'data', 'binary', binaryId);

function postBinary(actor: Actor, bytes: Buffer, contentType: string, securityContext?: string) {
  const req = actor.agent.post('/fhir/Binary').set('Content-Type', contentType);
  if (securityContext) {
    req.set('X-Security-Context', securityContext);
  }
  return req.send(bytes);
}

async function downloadUrl(actor: Actor, documentId: string): Promise<string> {
  const res = await actor.agent.get(`/fhir/DocumentReference/${documentId}/$download-url`).expect(200);
  return (JSON.parse(res.text) as Parameters).parameter?.find((p) => p.name === 'url')?.valueUrl as string;
}

describe('upload and download (Binary, DocumentReference/$upload)', () => {
  test('a patient posts raw bytes as a Binary of their own and reads them back, whole and by range', async () => {
    const pdf = samplePdf(5000);
    const res = await postBinary(patient, pdf, 'application/pdf').expect(201);
    const binary = JSON.parse(res.text) as Binary;
    expect(binary).toMatchObject({
      resourceType: 'Binary',
      contentType: 'application/pdf',
      securityContext: { reference: patient.profile },
    });
    expect(binary.data).toBeUndefined();
    expect(res.headers.location).toContain(`/fhir/Binary/${binary.id}/_history/1`);

    const whole = await downloadBytes(patient.agent, `/fhir/Binary/${binary.id}`).expect(200);
    expect(whole.headers['content-type']).toBe('application/pdf');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(Buffer.compare(whole.body as Buffer, pdf)).toBe(0);

    const part = await downloadBytes(patient.agent, `/fhir/Binary/${binary.id}`).set('Range', 'bytes=0-3').expect(206);
    expect((part.body as Buffer).toString('latin1')).toBe('%PDF');
    expect(part.headers['content-range']).toBe('bytes 0-3/5000');
    const tail = await downloadBytes(patient.agent, `/fhir/Binary/${binary.id}`).set('Range', 'bytes=-10').expect(206);
    expect(Buffer.compare(tail.body as Buffer, pdf.subarray(4990))).toBe(0);
    const outside = await patient.agent.get(`/fhir/Binary/${binary.id}`).set('Range', 'bytes=6000-7000');
    expectOutcome(outside, 416, 'invalid');
    expect(outside.headers['content-range']).toBe('bytes */5000');

    // Asking for FHIR JSON gives the Binary resource itself.
    const json = await patient.agent.get(`/fhir/Binary/${binary.id}`).set('Accept', FHIR_JSON).expect(200);
    expect(JSON.parse(json.text)).toMatchObject({ resourceType: 'Binary', id: binary.id });
  });

  test('a Binary sent as FHIR JSON with base64 data is stored the same way', async () => {
    const png = samplePng();
    const res = await patient.agent
      .post('/fhir/Binary')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Binary', contentType: 'image/png', data: png.toString('base64') }))
      .expect(201);
    const id = (JSON.parse(res.text) as Binary).id as string;
    expect(Buffer.compare(await fs.readFile(blobFile(id)), png)).toBe(0);
  });

  test('$upload stores the file and a DocumentReference with contentType, size, SHA-1, title, category, date, patient, author, encounter', async () => {
    const pdf = samplePdf(40_000);
    const encounter = JSON.parse((await server.request.get(`/fhir/Encounter?subject=${patient.profile}`).expect(200)).text) as Bundle;
    const encounterId = encounter.entry?.[0].resource?.id as string;
    const res = await uploadDocument(doctor, pdf, {
      patient: patient.profile as string,
      title: 'Blood panel',
      category: 'Laboratory',
      type: '11502-2',
      date: '2026-11-20',
      encounter: `Encounter/${encounterId}`,
    }).expect(201);
    const document = JSON.parse(res.text) as DocumentReference;
    expect(document).toMatchObject({
      resourceType: 'DocumentReference',
      status: 'current',
      subject: { reference: patient.profile },
      author: [{ reference: doctor.profile }],
      category: [{ text: 'Laboratory' }],
      type: { coding: [{ system: 'http://loinc.org', code: '11502-2' }] },
      date: '2026-11-20T00:00:00Z',
      context: { encounter: [{ reference: `Encounter/${encounterId}` }] },
    });
    expect(document.content?.[0].attachment).toMatchObject({
      contentType: 'application/pdf',
      size: 40_000,
      hash: sha1Base64(pdf),
      title: 'Blood panel',
      url: expect.stringMatching(/^Binary\/[0-9a-f-]{36}$/),
    });
    // Object keys are ids: no patient name, no file name.
    expect(await fs.readdir(path.join(dataDir, 'blobs', 'data', 'binary'))).toContain(binaryIdOf(document));
    const bytes = await downloadBytes(patient.agent, `/fhir/${document.content?.[0].attachment.url}`).expect(200);
    expect(sha1Base64(bytes.body as Buffer)).toBe(sha1Base64(pdf));
    // The patient finds the doctor's report the way the patient portal lists reports.
    const reports = await patient.agent.get(`/fhir/DocumentReference?subject=${patient.profile}&status=current&_sort=-date`).expect(200);
    expect(((JSON.parse(reports.text) as Bundle).entry ?? []).map((e) => e.resource?.id)).toContain(document.id);
  });

  test('a patient uploads a DICOM image for themselves without naming the patient; the file name becomes the title', async () => {
    const res = await uploadDocument(patient, sampleDicom(), {}, 'chest.dcm', 'application/dicom').expect(201);
    const document = JSON.parse(res.text) as DocumentReference;
    expect(document.subject?.reference).toBe(patient.profile);
    expect(document.content?.[0].attachment).toMatchObject({ contentType: 'application/dicom', title: 'chest.dcm' });
  });
});

describe('who may see a document', () => {
  let document: DocumentReference;
  beforeAll(async () => {
    document = JSON.parse((await uploadDocument(patient, samplePdf(), { title: 'My report' }).expect(201)).text) as DocumentReference;
  });

  test('another patient gets 404 for the DocumentReference, its Binary and a download URL', async () => {
    expectOutcome(await other.agent.get(`/fhir/DocumentReference/${document.id}`), 404, 'not-found');
    expectOutcome(await other.agent.get(`/fhir/Binary/${binaryIdOf(document)}`), 404, 'not-found');
    expectOutcome(await other.agent.get(`/fhir/DocumentReference/${document.id}/$download-url`), 404, 'not-found');
    const search = JSON.parse((await other.agent.get('/fhir/DocumentReference').expect(200)).text) as Bundle;
    expect(search.entry ?? []).toEqual([]);
  });

  test('a doctor with a care relationship reads it; a doctor without one gets 404 and cannot upload for the patient', async () => {
    await downloadBytes(doctor.agent, `/fhir/Binary/${binaryIdOf(document)}`).expect(200);
    await doctor.agent.get(`/fhir/DocumentReference/${document.id}/$download-url`).expect(200);
    expectOutcome(await stranger.agent.get(`/fhir/Binary/${binaryIdOf(document)}`), 404, 'not-found');
    expectOutcome(await stranger.agent.get(`/fhir/DocumentReference/${document.id}/$download-url`), 404, 'not-found');
    expectOutcome(await uploadDocument(stranger, samplePdf(), { patient: patient.profile as string }), 404, 'not-found');
    expectOutcome(await postBinary(stranger, samplePdf(), 'application/pdf', patient.profile), 404, 'not-found');
  });

  test('a patient cannot file a document under another patient', async () => {
    expectOutcome(await postBinary(patient, samplePdf(), 'application/pdf', other.profile), 404, 'not-found');
    expectOutcome(await uploadDocument(patient, samplePdf(), { patient: other.profile as string }), 404, 'not-found');
  });

  test('without a token the bytes need a signed URL', async () => {
    expectOutcome(await server.anonymous().get(`/fhir/Binary/${binaryIdOf(document)}`), 401, 'login');
  });
});

describe('signed download URLs', () => {
  let document: DocumentReference;
  let url: string;
  beforeAll(async () => {
    document = JSON.parse((await uploadDocument(patient, samplePdf(3000), { title: 'Signed' }).expect(201)).text) as DocumentReference;
    url = await downloadUrl(patient, document.id as string);
  });

  test('the URL downloads without a token, for an hour by default, with Range', async () => {
    const res = await patient.agent.get(`/fhir/DocumentReference/${document.id}/$download-url`).expect(200);
    const expires = (JSON.parse(res.text) as Parameters).parameter?.find((p) => p.name === 'expires')?.valueInstant as string;
    const lifetime = new Date(expires).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    expect(url.startsWith('http://medbuddy.test/documents/')).toBe(true);
    const local = url.replace('http://medbuddy.test', '');
    const bytes = await downloadBytes(server.anonymous(), local).expect(200);
    expect((bytes.body as Buffer).length).toBe(3000);
    await downloadBytes(server.anonymous(), local).set('Range', 'bytes=0-4').expect(206);
  });

  test('a tampered URL, an expired one and one for a Binary that does not exist fail', async () => {
    const local = url.replace('http://medbuddy.test', '');
    const [payload, mac] = local.slice('/documents/'.length).split('.');
    const otherGrant = Buffer.from(JSON.stringify({ b: 'someone-else', e: 9_999_999_999, i: 'Patient/x' })).toString('base64url');
    expectOutcome(await server.anonymous().get(`/documents/${otherGrant}.${mac}`), 403, 'forbidden');
    expectOutcome(await server.anonymous().get(`/documents/${payload}.${mac.slice(0, -2)}AA`), 403, 'forbidden');
    expectOutcome(await server.anonymous().get('/documents/garbage'), 403, 'forbidden');
    const signer = new UrlSigner(SECRET);
    const expired = signer.sign({
      binaryId: binaryIdOf(document),
      expires: Math.floor(Date.now() / 1000) - 1,
      issuedTo: patient.profile as string,
    });
    const outcome = expectOutcome(await server.anonymous().get(`/documents/${expired}`), 403, 'forbidden');
    expect(outcome.issue?.[0].diagnostics).toContain('expired');
    const missing = signer.sign({ binaryId: 'no-such-binary', expires: Math.floor(Date.now() / 1000) + 60, issuedTo: 'x' });
    expectOutcome(await server.anonymous().get(`/documents/${missing}`), 404, 'not-found');
  });

  test('issuing the URL and every download through it are AuditEvents naming the patient', async () => {
    await patient.agent.get(`/fhir/DocumentReference/${document.id}/$download-url`).set('X-Request-Id', 'req-doc-url').expect(200);
    await downloadBytes(server.anonymous(), url.replace('http://medbuddy.test', '')).set('X-Request-Id', 'req-doc-download').expect(200);
    await server.flushAudit();
    const admin = await server.actAsAdmin();
    const events = ((JSON.parse((await admin.agent.get('/fhir/AuditEvent?_count=1000').expect(200)).text) as Bundle).entry ?? []).map(
      (e) => e.resource as AuditEvent,
    );
    const byRequest = (id: string) => events.filter((e) => e.entity?.some((x) => x.what?.identifier?.value === id));
    const [issued] = byRequest('req-doc-url');
    expect(issued.entity?.map((e) => e.what?.reference)).toEqual(
      expect.arrayContaining([patient.profile, `DocumentReference/${document.id}`]),
    );
    const [downloaded] = byRequest('req-doc-download');
    expect(downloaded.entity?.map((e) => e.what?.reference)).toEqual(
      expect.arrayContaining([patient.profile, `Binary/${binaryIdOf(document)}`]),
    );
    expect(JSON.stringify(downloaded)).toContain(`signed URL issued to ${patient.profile}`);
  });
});

describe('bad input leaves nothing behind', () => {
  async function countBinaries(): Promise<number> {
    const res = await server.request.get('/fhir/Binary?_summary=count').expect(200);
    return (JSON.parse(res.text) as Bundle).total as number;
  }
  async function blobNames(): Promise<string[]> {
    return fs.readdir(path.join(dataDir, 'blobs', 'data', 'binary')).catch(() => []);
  }

  test('content that is not an accepted type, or not the declared one, is refused by its bytes: 415', async () => {
    const before = [await countBinaries(), (await blobNames()).length, await blobNames()];
    expectOutcome(await postBinary(patient, Buffer.from('<html><script>x</script></html>'), 'application/pdf'), 415, 'not-supported');
    expectOutcome(await postBinary(patient, samplePng(), 'application/pdf'), 415, 'not-supported');
    expectOutcome(await postBinary(patient, Buffer.from('MZ\x90\x00 executable'), 'application/octet-stream'), 415, 'not-supported');
    expectOutcome(await uploadDocument(patient, Buffer.from('#!/bin/sh\nrm -rf /'), {}, 'x.pdf'), 415, 'not-supported');
    expect([await countBinaries(), (await blobNames()).length, await blobNames()]).toEqual(before);
  });

  test('a body over the limit is 413, whether Content-Length says so or the stream shows it', async () => {
    const before = (await blobNames()).length;
    expectOutcome(await postBinary(patient, samplePdf(MAX_BYTES + 1), 'application/pdf'), 413, 'too-long');
    expectOutcome(await uploadDocument(patient, samplePdf(MAX_BYTES + 1), {}), 413, 'too-long');
    expect((await blobNames()).length).toBe(before);
  });

  test('an empty file is 400; a file name with a path is 400; unknown fields are 400', async () => {
    expectOutcome(await postBinary(patient, Buffer.alloc(0), 'application/pdf'), 400, 'invalid');
    expectOutcome(await uploadDocument(patient, Buffer.alloc(0), {}), 400, 'invalid');
    for (const name of ['../../etc/passwd', '..\\windows\\system.ini', 'a/b.pdf', 'report\u0000.pdf']) {
      const form = rawMultipart({}, { name, type: 'application/pdf', bytes: samplePdf() });
      const res = await patient.agent.post('/fhir/DocumentReference/$upload').set('Content-Type', form.contentType).send(form.body);
      expectOutcome(res, 400, 'invalid');
    }
    expectOutcome(await uploadDocument(patient, samplePdf(), { owner: 'me' }), 400, 'invalid');
    expectOutcome(await uploadDocument(patient, samplePdf(), { date: 'yesterday' }), 400, 'invalid');
    expectOutcome(await uploadDocument(patient, samplePdf(), { encounter: '../Encounter/1' }), 400, 'invalid');
    expectOutcome(
      await patient.agent.post('/fhir/DocumentReference/$upload').set('Content-Type', FHIR_JSON).send('{}'),
      415,
      'not-supported',
    );
    expectOutcome(await patient.agent.post('/fhir/DocumentReference/$upload').field('title', 'no file'), 400, 'invalid');
  });

  test('an upload interrupted midway leaves no Binary and no object', async () => {
    const before = [await countBinaries(), (await blobNames()).length];
    const url = new URL(`${server.address}/fhir/Binary`);
    await new Promise<void>((resolve) => {
      const req = http.request(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${patient.token}`, 'Content-Type': 'application/pdf', 'Content-Length': String(200_000) },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(samplePdf(50_000), () => setTimeout(() => req.destroy(), 200));
    });
    // The server notices the broken connection asynchronously: poll until the partial file is gone.
    for (let i = 0; i < 100; i++) {
      const files = await fs.readdir(path.join(dataDir, 'blobs', 'data', 'binary'));
      if (!files.some((f) => f.endsWith('.partial'))) {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([await countBinaries(), (await blobNames()).length]).toEqual(before);
  });

  test('Binary content is immutable: PUT and PATCH are 405', async () => {
    const id = (JSON.parse((await postBinary(patient, samplePdf(), 'application/pdf').expect(201)).text) as Binary).id as string;
    expectOutcome(await patient.agent.put(`/fhir/Binary/${id}`).set('Content-Type', FHIR_JSON).send('{}'), 405, 'not-supported');
    expectOutcome(await patient.agent.patch(`/fhir/Binary/${id}`).set('Content-Type', FHIR_JSON).send('[]'), 405, 'not-supported');
  });
});

describe('retention', () => {
  test('deleting a DocumentReference and its Binary keeps the object (DOCUMENT_RETENTION=keep)', async () => {
    const document = JSON.parse((await uploadDocument(patient, samplePdf(), {}).expect(201)).text) as DocumentReference;
    const binaryId = binaryIdOf(document);
    await patient.agent.delete(`/fhir/DocumentReference/${document.id}`).expect(204);
    await downloadBytes(patient.agent, `/fhir/Binary/${binaryId}`).expect(200);
    await patient.agent.delete(`/fhir/Binary/${binaryId}`).expect(204);
    expectOutcome(await server.request.get(`/fhir/Binary/${binaryId}`), 410, 'deleted');
    await fs.access(blobFile(binaryId));
  });
});
