import { Client } from 'pg';
import type { Parameters } from '@medplum/fhirtypes';
import type supertest from 'supertest';
import { startNdjsonServer, type NdjsonServer } from '../setup/ndjson-server';
import { createThrowawayDatabase } from '../setup/test-database';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Bulk jobs with two server instances on one PostgreSQL database (as with WEB_CONCURRENCY > 1
 * or several hosts): each job is run by exactly one of them. A job whose process died (its
 * lease ran out) is taken over by exactly one process; a live process's job by none.
 */
const BULK_JOBS = { leaseMs: 3000, pollMs: 200 };
let database: { url: string; drop(): Promise<void> };
let a: TestServer;
let b: TestServer;
let files: NdjsonServer;
let sql: Client;
const client = { client_id: 'ehr-two', sub: 'ehr-two', scope: 'system/*.*' };

beforeAll(async () => {
  database = await createThrowawayDatabase();
  a = await startTestServer({ DATABASE_URL: database.url }, undefined, { bulkJobs: BULK_JOBS });
  b = await startTestServer({ DATABASE_URL: database.url }, undefined, { bulkJobs: BULK_JOBS });
  files = await startNdjsonServer();
  sql = new Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await a?.close();
  await b?.close();
  await files?.close();
  await database?.drop();
});

const observations = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ resourceType: 'Observation', id: `${prefix}-${i}`, status: 'final', code: { text: `${i}` } }),
  );

async function kickOffImport(server: TestServer, name: string): Promise<string> {
  const body: Parameters = {
    resourceType: 'Parameters',
    parameter: [{ name: 'input', part: [{ name: 'url', valueUri: files.url(name) }] }],
  };
  const res = await server
    .withToken(await server.mintToken(client))
    .post('/fhir/$import')
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(body))
    .expect(202);
  return (res.headers['content-location'] as string).replace(server.publicUrl, '');
}

async function waitDone(agent: supertest.Agent, statusPath: string): Promise<{ output: { count: number }[] }> {
  for (let i = 0; i < 600; i++) {
    const res = await agent.get(statusPath);
    if (res.status === 200) {
      return JSON.parse(res.text) as { output: { count: number }[] };
    }
    expect(res.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${statusPath} did not finish`);
}

async function attempts(statusPath: string): Promise<number> {
  const id = statusPath.split('/').pop();
  const { rows } = await sql.query<{ attempts: number }>('SELECT attempts FROM bulk_job WHERE id = $1', [id]);
  return rows[0].attempts;
}

test('a job running on one instance, for longer than its lease, is never taken by the other', async () => {
  files.put('long.ndjson', { lines: observations('long', 40), delayMs: 100 });
  const statusPath = await kickOffImport(a, 'long.ndjson');
  // Polled on the other instance: the status is in the shared database.
  const manifest = await waitDone(b.withToken(await b.mintToken(client)), statusPath);
  expect(manifest.output[0].count).toBe(40);
  expect(await attempts(statusPath)).toBe(1);
  expect(files.requests.get('long.ndjson')).toBe(1);
});

test('jobs of a process that died are each taken over by exactly one instance', async () => {
  files.put('orphan.ndjson', { lines: observations('orphan', 30), delayMs: 30 });
  const statusPaths = [await kickOffImport(a, 'orphan.ndjson'), await kickOffImport(b, 'orphan.ndjson')];
  // Their processes "die": another owner's lease that has run out, which neither instance holds.
  const ids = statusPaths.map((p) => p.split('/').pop());
  await sql.query(
    `UPDATE bulk_job SET lease_owner = 'dead-process', lease_until = now() - interval '1 second' WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  for (const statusPath of statusPaths) {
    const manifest = await waitDone(a.withToken(await a.mintToken(client)), statusPath);
    expect(manifest.output[0].count).toBe(30);
    expect(await attempts(statusPath)).toBe(2);
  }
});

test('an export whose process died is taken over by one instance and completes', async () => {
  await a.request.post('/fhir/Patient').set('Content-Type', 'application/fhir+json').send('{"resourceType":"Patient"}').expect(201);
  const ehr = a.withToken(await a.mintToken(client));
  const kickoff = await ehr.get('/fhir/$export?_type=Patient').expect(202);
  const statusPath = (kickoff.headers['content-location'] as string).replace(a.publicUrl, '');
  const id = statusPath.split('/').pop();
  // Dies before it finishes: its rows say in progress, with a lapsed lease of a process gone.
  await sql.query(
    `UPDATE bulk_job SET status = 'in-progress', output = '[]', lease_owner = 'dead-process', lease_until = now() - interval '1 second' WHERE id = $1`,
    [id],
  );
  const manifest = await waitDone(b.withToken(await b.mintToken(client)), statusPath);
  expect(manifest.output[0].count).toBeGreaterThanOrEqual(1);
  expect(await attempts(statusPath)).toBe(2);
});
