import http from 'node:http';
import type { Binary, DocumentReference, Parameters } from '@medplum/fhirtypes';
import { S3BlobStore } from '../../src/integrations/s3-blob-store';
import { downloadBytes, samplePdf, sha1Base64 } from '../setup/documents';
import { expectOutcome } from '../setup/matchers';
import { S3RVER_KEY, startS3Server, type S3TestServer } from '../setup/s3-server';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * The document routes with the MinIO/S3 adapter: the server talks to a real S3-protocol
 * server (s3rver) through the minio client; the bucket is created at start.
 */
const BUCKET = 'medbuddy-api-test';
let s3: S3TestServer;
let server: TestServer;
let patient: Actor;
let objects: S3BlobStore;

beforeAll(async () => {
  s3 = await startS3Server();
  server = await startTestServer({ ...s3.env(BUCKET), DOCUMENT_MAX_BYTES: String(20 * 1024 * 1024), DOCUMENT_RETENTION: 'move' });
  patient = await server.actAsPatient();
  objects = new S3BlobStore({
    endpoint: s3.endpoint,
    bucket: BUCKET,
    accessKey: S3RVER_KEY,
    secretKey: S3RVER_KEY,
    region: 'us-east-1',
    serverSideEncryption: false,
  });
});
afterAll(async () => {
  await server?.close();
  await s3?.close();
});

test('an upload of several S3 parts goes to the bucket under binary/<id> and comes back whole, by range and by signed URL', async () => {
  const pdf = samplePdf(12 * 1024 * 1024);
  const res = await patient.agent
    .post('/fhir/DocumentReference/$upload')
    .field('title', 'CT report')
    .attach('file', pdf, { filename: 'ct.pdf', contentType: 'application/pdf' })
    .expect(201);
  const document = JSON.parse(res.text) as DocumentReference;
  expect(document.content?.[0].attachment).toMatchObject({ size: pdf.length, hash: sha1Base64(pdf), contentType: 'application/pdf' });
  const binaryId = (document.content?.[0].attachment.url as string).split('/')[1];
  expect(await objects.stat(`binary/${binaryId}`)).toEqual({ size: pdf.length, contentType: 'application/pdf' });

  const whole = await downloadBytes(patient.agent, `/fhir/Binary/${binaryId}`).expect(200);
  expect(sha1Base64(whole.body as Buffer)).toBe(sha1Base64(pdf));
  const part = await downloadBytes(patient.agent, `/fhir/Binary/${binaryId}`).set('Range', 'bytes=100-199').expect(206);
  expect(Buffer.compare(part.body as Buffer, pdf.subarray(100, 200))).toBe(0);

  const urlRes = await patient.agent.get(`/fhir/DocumentReference/${document.id}/$download-url`).expect(200);
  const url = (JSON.parse(urlRes.text) as Parameters).parameter?.[0].valueUrl as string;
  const signed = await downloadBytes(server.anonymous(), url.replace(server.publicUrl, '')).expect(200);
  expect((signed.body as Buffer).length).toBe(pdf.length);
});

test('another patient gets 404; a refused or interrupted upload leaves no object in the bucket', async () => {
  const created = JSON.parse(
    (await patient.agent.post('/fhir/Binary').set('Content-Type', 'application/pdf').send(samplePdf()).expect(201)).text,
  ) as Binary;
  const other = await server.actAsPatient();
  expectOutcome(await other.agent.get(`/fhir/Binary/${created.id}`), 404, 'not-found');

  const before = await countObjects();
  expectOutcome(
    await patient.agent.post('/fhir/Binary').set('Content-Type', 'application/pdf').send(Buffer.from('not a pdf at all')),
    415,
    'not-supported',
  );
  await new Promise<void>((resolve) => {
    const req = http.request(`${server.address}/fhir/Binary`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${patient.token}`, 'Content-Type': 'application/pdf', 'Content-Length': String(15 * 1024 * 1024) },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(samplePdf(9 * 1024 * 1024), () => setTimeout(() => req.destroy(), 300));
  });
  // The server notices the broken connection asynchronously; poll for the bucket to settle.
  let after = -1;
  for (let i = 0; i < 50 && after !== before; i++) {
    await new Promise((r) => setTimeout(r, 200));
    after = await countObjects();
  }
  expect(after).toBe(before);
});

test('DOCUMENT_RETENTION=move: deleting a Binary moves its object under retained/, nothing is destroyed', async () => {
  const pdf = samplePdf();
  const created = JSON.parse(
    (await patient.agent.post('/fhir/Binary').set('Content-Type', 'application/pdf').send(pdf).expect(201)).text,
  ) as Binary;
  await patient.agent.delete(`/fhir/Binary/${created.id}`).expect(204);
  expect(await objects.stat(`binary/${created.id}`)).toBeUndefined();
  expect((await objects.stat(`retained/binary/${created.id}`))?.size).toBe(pdf.length);
});

/** Objects under binary/, listed through the S3 API. */
async function countObjects(): Promise<number> {
  const { Client } = await import('minio');
  const url = new URL(s3.endpoint);
  const client = new Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: S3RVER_KEY,
    secretKey: S3RVER_KEY,
    pathStyle: true,
  });
  let count = 0;
  for await (const _item of client.listObjectsV2(BUCKET, 'binary/', true)) {
    count++;
  }
  return count;
}
