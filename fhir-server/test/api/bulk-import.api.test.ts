import type { Bundle, OperationOutcome, Parameters, Resource } from '@medplum/fhirtypes';
import type supertest from 'supertest';
import { expectOutcome } from '../setup/matchers';
import { startNdjsonServer, type NdjsonServer } from '../setup/ndjson-server';
import { sampleNdjson } from '../setup/samples';
import { createThrowawayDatabase } from '../setup/test-database';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Bulk Data $import end to end over HTTP: a real HTTP server serves NDJSON made from the
 * Synthea samples; the FHIR server fetches it, writes each line as an update, and reports
 * refused lines as OperationOutcome NDJSON.
 */
const FHIR_JSON = 'application/fhir+json';
const SAMPLE = 'Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json';
let server: TestServer;
let files: NdjsonServer;
let ehr: supertest.Agent;
let sample: Map<string, string[]>;

interface ImportManifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; inputUrl: string; count: number }[];
  error: { type: string; inputUrl: string; url: string; count: number }[];
}

beforeAll(async () => {
  // Uploads are limited by DOCUMENT_MAX_BYTES; small here to test the limit.
  server = await startTestServer({ DOCUMENT_MAX_BYTES: '200000' });
  files = await startNdjsonServer();
  ehr = server.withToken(await server.mintToken({ client_id: 'ehr-import', sub: 'ehr-import', scope: 'system/*.*' }));
  sample = sampleNdjson(SAMPLE);
  for (const [type, lines] of sample) {
    files.put(`ned/${type}.ndjson`, { lines });
  }
});
afterAll(async () => {
  await server?.close();
  await files?.close();
});

const importParameters = (inputs: { type?: string; url: string }[], format = 'application/fhir+ndjson'): Parameters => ({
  resourceType: 'Parameters',
  parameter: [
    { name: 'inputFormat', valueCode: format },
    ...inputs.map((input) => ({
      name: 'input',
      part: [...(input.type ? [{ name: 'type', valueCode: input.type }] : []), { name: 'url', valueUri: input.url }],
    })),
  ],
});

function kickOff(agent: supertest.Agent, body: unknown): supertest.Test {
  return agent.post('/fhir/$import').set('Content-Type', FHIR_JSON).set('Prefer', 'respond-async').send(JSON.stringify(body));
}

async function poll(agent: supertest.Agent, statusPath: string, target: TestServer = server): Promise<ImportManifest> {
  for (let i = 0; i < 900; i++) {
    const res = await agent.get(statusPath.replace(target.publicUrl, ''));
    if (res.status === 200) {
      return JSON.parse(res.text) as ImportManifest;
    }
    expect(res.status).toBe(202);
    expect(res.headers['x-progress']).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`import at ${statusPath} did not finish`);
}

async function importAll(agent: supertest.Agent, body: unknown, target: TestServer = server): Promise<ImportManifest> {
  const res = await kickOff(agent, body);
  expect(res.status).toBe(202);
  const statusUrl = res.headers['content-location'] as string;
  expect(statusUrl).toMatch(/\/fhir\/_import\/[0-9a-f-]{36}$/);
  return poll(agent, statusUrl, target);
}

/** The refused lines of an error file, downloaded through its signed URL without any token. */
async function errorLines(url: string, target: TestServer = server): Promise<OperationOutcome[]> {
  const res = await target.anonymous().get(url.replace(target.publicUrl, '')).expect(200);
  expect(res.headers['content-type']).toContain('application/fhir+ndjson');
  return res.text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as OperationOutcome);
}

const lineOf = (o: OperationOutcome) => o.extension?.[0]?.extension?.find((e) => e.url === 'line')?.valueInteger;

async function total(query: string): Promise<number> {
  const res = await server.request.get(`/fhir/${query}${query.includes('?') ? '&' : '?'}_summary=count`).expect(200);
  return (JSON.parse(res.text) as Bundle).total as number;
}

describe('$import of the Synthea sample by URL', () => {
  const inputs = () => [...sample.keys()].map((type) => ({ type, url: files.url(`ned/${type}.ndjson`) }));
  const patientId = () => (JSON.parse(sample.get('Patient')?.[0] ?? '{}') as Resource).id as string;

  test('every resource is written by its id; the manifest counts them per input', async () => {
    const manifest = await importAll(ehr, importParameters(inputs()));
    expect(manifest.requiresAccessToken).toBe(false);
    expect(manifest.request).toBe('http://medbuddy.test/fhir/$import');
    expect(manifest.error).toEqual([]);
    const counts = Object.fromEntries(manifest.output.map((o) => [o.type, o.count]));
    expect(counts).toEqual(Object.fromEntries([...sample].map(([type, lines]) => [type, lines.length])));
    await server.request.get(`/fhir/Patient/${patientId()}`).expect(200);
    expect(await total(`Observation?subject=Patient/${patientId()}`)).toBe(sample.get('Observation')?.length);
  });

  test('a re-run is idempotent: the same resources, none added', async () => {
    const before = await total('Observation');
    const manifest = await importAll(ehr, importParameters(inputs()));
    expect(manifest.error).toEqual([]);
    expect(await total('Observation')).toBe(before);
    expect(await total(`Patient?_id=${patientId()}`)).toBe(1);
  });
});

describe('refused lines', () => {
  test('each is an OperationOutcome line naming input and line; the good lines are stored, the bad ones not at all', async () => {
    const valid = { resourceType: 'Observation', id: 'import-ok', status: 'final', code: { text: 'weight' } };
    files.put('mixed.ndjson', {
      lines: [
        JSON.stringify(valid),
        '{not json',
        JSON.stringify({ id: 'import-no-type' }),
        JSON.stringify({ resourceType: 'Patient', id: 'import-wrong-type' }),
        JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'no id' } }),
        '',
        // Invalid: status is required and `bogus` is no element; nothing of it may be written.
        JSON.stringify({ resourceType: 'Observation', id: 'import-invalid', code: { text: 'x' }, bogus: true }),
        JSON.stringify({ ...valid, id: 'import-ok-2' }),
      ],
    });
    const manifest = await importAll(ehr, importParameters([{ type: 'Observation', url: files.url('mixed.ndjson') }]));
    expect(manifest.output).toEqual([{ type: 'Observation', inputUrl: files.url('mixed.ndjson'), count: 2 }]);
    expect(manifest.error).toHaveLength(1);
    expect(manifest.error[0]).toMatchObject({ type: 'OperationOutcome', inputUrl: files.url('mixed.ndjson'), count: 5 });
    const refused = await errorLines(manifest.error[0].url);
    expect(refused.map(lineOf)).toEqual([2, 3, 4, 5, 7]);
    expect(refused.every((o) => o.resourceType === 'OperationOutcome' && o.issue[0].severity === 'error')).toBe(true);
    expect(refused[0].issue[0].diagnostics).toMatch(/^line 2: .*not JSON/);
    expect(refused[2].issue[0].diagnostics).toContain('input is of type Observation');
    expect(refused[3].issue[0].diagnostics).toContain('needs a valid id');
    await server.request.get('/fhir/Observation/import-ok').expect(200);
    await server.request.get('/fhir/Observation/import-ok-2').expect(200);
    await server.request.get('/fhir/Observation/import-invalid').expect(404);
    await server.request.get('/fhir/Patient/import-wrong-type').expect(404);
  });

  test('an input that cannot be fetched is one refused line 0; lines of types the client may not write are 403 outcomes', async () => {
    const narrow = server.withToken(
      await server.mintToken({ client_id: 'ehr-obs-only', sub: 'ehr-obs-only', scope: 'system/Observation.cu system/Observation.r' }),
    );
    files.put('mixed-types.ndjson', {
      lines: [
        JSON.stringify({ resourceType: 'Observation', id: 'import-narrow', status: 'final', code: { text: 'x' } }),
        JSON.stringify({ resourceType: 'Patient', id: 'import-narrow-patient' }),
      ],
    });
    const manifest = await importAll(
      narrow,
      importParameters([{ url: files.url('mixed-types.ndjson') }, { type: 'Observation', url: files.url('missing.ndjson') }]),
    );
    expect(manifest.output.map((o) => o.count)).toEqual([1, 0]);
    const [forbiddenLines, missing] = await Promise.all(manifest.error.map((e) => errorLines(e.url)));
    expect(forbiddenLines.map(lineOf)).toEqual([2]);
    expect(forbiddenLines[0].issue[0].code).toBe('forbidden');
    expect(missing.map(lineOf)).toEqual([0]);
    expect(missing[0].issue[0].diagnostics).toContain('HTTP 404');
    await server.request.get('/fhir/Patient/import-narrow-patient').expect(404);
  });
});

test('NDJSON POSTed to $import is stored, then imported the same way', async () => {
  const body = [
    JSON.stringify({ resourceType: 'Observation', id: 'uploaded-1', status: 'final', code: { text: 'uploaded' } }),
    JSON.stringify({ resourceType: 'Patient', id: 'uploaded-wrong-type' }),
  ].join('\n');
  const res = await ehr.post('/fhir/$import?type=Observation').set('Content-Type', 'application/fhir+ndjson').send(body).expect(202);
  const manifest = await poll(ehr, res.headers['content-location'] as string);
  expect(manifest.output).toEqual([{ type: 'Observation', inputUrl: 'upload', count: 1 }]);
  expect((await errorLines(manifest.error[0].url)).map(lineOf)).toEqual([2]);
  await server.request.get('/fhir/Observation/uploaded-1').expect(200);
  expectOutcome(await ehr.post('/fhir/$import?type=Nope').set('Content-Type', 'application/fhir+ndjson').send(body), 400, 'invalid');
  expectOutcome(await server.anonymous().post('/fhir/$import').set('Content-Type', 'application/fhir+ndjson').send(body), 401, 'login');
  const tooLarge = `${JSON.stringify({ resourceType: 'Observation', id: 'too-large', status: 'final', code: { text: 'x'.repeat(250_000) } })}\n`;
  expectOutcome(await ehr.post('/fhir/$import').set('Content-Type', 'application/fhir+ndjson').send(tooLarge), 413, 'too-long');
  await server.request.get('/fhir/Observation/too-large').expect(404);
});

test('lines are written several at a time, but a resource named twice ends as its last line says', async () => {
  const version = (n: number) =>
    JSON.stringify({ resourceType: 'Observation', id: 'import-twice', status: 'final', code: { text: `v${n}` } });
  const others = Array.from({ length: 12 }, (_, i) =>
    JSON.stringify({ resourceType: 'Observation', id: `import-many-${i}`, status: 'final', code: { text: `${i}` } }),
  );
  files.put('twice.ndjson', { lines: [version(1), ...others.slice(0, 6), version(2), version(3), ...others.slice(6), version(4)] });
  const manifest = await importAll(ehr, importParameters([{ type: 'Observation', url: files.url('twice.ndjson') }]));
  expect(manifest.output[0].count).toBe(16);
  const stored = JSON.parse((await server.request.get('/fhir/Observation/import-twice').expect(200)).text) as {
    code: { text: string };
    meta: { versionId: string };
  };
  expect(stored.code.text).toBe('v4');
  expect(stored.meta.versionId).toBe('4');
});

describe('kick-off bad input, status and files', () => {
  test('no inputs, another format, a non-http url, an unknown type, a type the client may not write: 4xx', async () => {
    expectOutcome(await kickOff(ehr, { resourceType: 'Parameters' }), 400, 'invalid');
    expectOutcome(await kickOff(ehr, importParameters([{ url: files.url('mixed.ndjson') }], 'text/csv')), 400, 'invalid');
    expectOutcome(await kickOff(ehr, importParameters([{ url: 'file:///etc/passwd' }])), 400, 'invalid');
    expectOutcome(await kickOff(ehr, importParameters([{ url: 'http://169.254.169.254/latest' }])), 400, 'invalid');
    expectOutcome(await kickOff(ehr, importParameters([{ type: 'Nonsense', url: files.url('x') }])), 400, 'invalid');
    expectOutcome(await kickOff(ehr, [1, 2]), 400, 'invalid');
    const reader = server.withToken(await server.mintToken({ client_id: 'ehr-reader', sub: 'ehr-reader', scope: 'system/*.rs' }));
    expectOutcome(await kickOff(reader, importParameters([{ type: 'Patient', url: files.url('x') }])), 403, 'forbidden');
    expectOutcome(await kickOff(server.anonymous(), importParameters([{ url: files.url('x') }])), 401, 'login');
    expectOutcome(await ehr.get('/fhir/$import'), 405, 'not-supported');
  });

  test("another client's status URL is 404, a forged or altered file link 403, a cancelled job gone", async () => {
    files.put('one.ndjson', { lines: ['{bad'] });
    const res = await kickOff(ehr, importParameters([{ url: files.url('one.ndjson') }])).expect(202);
    const statusPath = (res.headers['content-location'] as string).replace(server.publicUrl, '');
    const manifest = await poll(ehr, statusPath);
    const other = server.withToken(await server.mintToken({ client_id: 'ehr-other', sub: 'ehr-other', scope: 'system/*.*' }));
    expectOutcome(await other.get(statusPath), 404, 'not-found');
    expectOutcome(await server.anonymous().get(statusPath), 401, 'login');
    const fileUrl = new URL(manifest.error[0].url);
    expectOutcome(await server.anonymous().get(`${fileUrl.pathname}?token=forged.token`), 403, 'forbidden');
    expectOutcome(await server.anonymous().get(fileUrl.pathname), 401, 'login');
    // The file's own link is good for its file only.
    expectOutcome(await server.anonymous().get(`${statusPath}/errors-2.ndjson${fileUrl.search}`), 404, 'not-found');
    await ehr.delete(statusPath).expect(202);
    expectOutcome(await ehr.get(statusPath), 404, 'not-found');
    expectOutcome(await server.anonymous().get(`${fileUrl.pathname}${fileUrl.search}`), 404, 'not-found');
  });
});

test('an import in progress when its server stops is finished by the next server on the same database', async () => {
  const database = await createThrowawayDatabase();
  const lines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ resourceType: 'Observation', id: `slow-${i}`, status: 'final', code: { text: `n${i}` } }),
  );
  files.put('slow.ndjson', { lines, delayMs: 50 });
  files.put('after.ndjson', { lines: [JSON.stringify({ resourceType: 'Patient', id: 'after-restart' })] });
  const client = { client_id: 'ehr-restart', sub: 'ehr-restart', scope: 'system/*.*' };
  try {
    const first = await startTestServer({ DATABASE_URL: database.url });
    const kickoff = await kickOff(
      first.withToken(await first.mintToken(client)),
      importParameters([{ url: files.url('slow.ndjson') }, { url: files.url('after.ndjson') }]),
    ).expect(202);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await first.close();
    const second = await startTestServer({ DATABASE_URL: database.url });
    try {
      const manifest = await poll(second.withToken(await second.mintToken(client)), kickoff.headers['content-location'] as string, second);
      expect(manifest.output.map((o) => o.count)).toEqual([40, 1]);
      expect(manifest.error).toEqual([]);
      const bundle = JSON.parse((await second.request.get('/fhir/Observation?_summary=count').expect(200)).text) as Bundle;
      expect(bundle.total).toBe(40);
      await second.request.get('/fhir/Patient/after-restart').expect(200);
    } finally {
      await second.close();
    }
  } finally {
    await database.drop();
  }
});
