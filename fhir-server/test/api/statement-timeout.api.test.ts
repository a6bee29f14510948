import type { Bundle } from '@medplum/fhirtypes';
import { Client } from 'pg';
import { makePatient } from '../setup/factories';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * No search holds a connection and a core without bound (search.html#errors; issue 3's "never
 * an unbounded query"): PostgreSQL cancels a statement after DATABASE_STATEMENT_TIMEOUT_MS and
 * the client gets a 400 `too-costly` OperationOutcome. A search made to wait on a table lock
 * stands in for one that runs too long: a lock wait counts toward the timeout, and unlike a
 * slow plan it is certain to exceed it.
 */
let server: TestServer;
let locker: Client;
let patientId: string;

beforeAll(async () => {
  server = await startTestServer({ DATABASE_STATEMENT_TIMEOUT_MS: '300' });
  const created = await server.request
    .post('/fhir/Patient')
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(makePatient({ name: [{ family: 'Slowpoke' }] })));
  expect(created.status).toBe(201);
  patientId = (JSON.parse(created.text) as { id: string }).id;
  locker = new Client({ connectionString: server.databaseUrl });
  await locker.connect();
});
afterAll(async () => {
  await locker.end();
  await server.close();
});

/** Runs `work` while another session holds an exclusive lock on the string search index. */
async function whileStringIndexLocked<T>(work: () => Promise<T>): Promise<T> {
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE sp_string IN ACCESS EXCLUSIVE MODE');
  try {
    return await work();
  } finally {
    await locker.query('ROLLBACK');
  }
}

test('a search stopped by the statement timeout is a 400 too-costly, and the server answers it again afterwards', async () => {
  const stopped = await whileStringIndexLocked(() => server.request.get('/fhir/Patient?family=slowpoke'));
  const outcome = expectOutcome(stopped, 400, 'too-costly');
  expect(outcome.issue?.[0].diagnostics).toMatch(/stopped after 0.3 s/);

  const again = await server.request.get('/fhir/Patient?family=slowpoke');
  expect(again.status).toBe(200);
  expect((JSON.parse(again.text) as Bundle).entry?.map((e) => e.resource?.id)).toEqual([patientId]);
});

test('in a batch, the stopped search fails its entry only (http.html#transaction)', async () => {
  const batch: Bundle = {
    resourceType: 'Bundle',
    type: 'batch',
    entry: [{ request: { method: 'GET', url: 'Patient?family=slowpoke' } }, { request: { method: 'GET', url: `Patient/${patientId}` } }],
  };
  const res = await whileStringIndexLocked(() =>
    server.request.post('/fhir').set('Content-Type', 'application/fhir+json').send(JSON.stringify(batch)),
  );
  expect(res.status).toBe(200);
  const entries = (JSON.parse(res.text) as Bundle).entry ?? [];
  expect(entries.map((e) => e.response?.status?.slice(0, 3))).toEqual(['400', '200']);
  expect(entries[0].response?.outcome).toMatchObject({ issue: [{ code: 'too-costly' }] });
});
