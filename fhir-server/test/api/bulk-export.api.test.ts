import type { Bundle, Observation, Patient, Resource } from '@medplum/fhirtypes';
import type supertest from 'supertest';
import { expectOutcome } from '../setup/matchers';
import { createThrowawayDatabase } from '../setup/test-database';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * FHIR Bulk Data $export (https://hl7.org/fhir/uv/bulkdata/export.html) end to end over HTTP:
 * kick-off, status polling, manifest, NDJSON files, scopes, cancel, restart.
 */
const FHIR_JSON = 'application/fhir+json';
let server: TestServer;
let ehr: supertest.Agent;
let patientA: Actor;
let patientB: Actor;
let groupId: string;

interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
}

async function create(resource: Resource): Promise<string> {
  const res = await server.request
    .post(`/fhir/${resource.resourceType}`)
    .set('Content-Type', FHIR_JSON)
    .send(JSON.stringify(resource))
    .expect(201);
  return JSON.parse(res.text).id as string;
}

const observation = (patient: string, code: string): Resource =>
  ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code }] },
    subject: { reference: patient },
  }) as Resource;

beforeAll(async () => {
  server = await startTestServer();
  ehr = server.withToken(await server.mintToken({ client_id: 'ehr-a', sub: 'ehr-a', scope: 'system/*.rs' }));
  patientA = await server.actAsPatient();
  patientB = await server.actAsPatient();
  await create(observation(patientA.profile as string, '8867-4'));
  await create(observation(patientA.profile as string, '29463-7'));
  await create(observation(patientB.profile as string, '8867-4'));
  groupId = await create({
    resourceType: 'Group',
    type: 'person',
    actual: true,
    member: [{ entity: { reference: patientA.profile } }],
  } as Resource);
});
afterAll(() => server.close());

/** Kicks off, polls the status URL until the manifest is there, and reads every file. */
async function exportAll(
  agent: supertest.Agent,
  path: string,
  target: TestServer = server,
): Promise<{ manifest: Manifest; resources: Resource[] }> {
  const kickoff = await agent.get(path).set('Accept', FHIR_JSON).set('Prefer', 'respond-async');
  expect(kickoff.status).toBe(202);
  const statusUrl = kickoff.headers['content-location'] as string;
  expect(statusUrl).toMatch(/\/fhir\/_export\/[0-9a-f-]{36}$/);
  const manifest = await poll(agent, statusUrl.replace(target.publicUrl, ''));
  const resources: Resource[] = [];
  for (const file of manifest.output) {
    // Signed links: no token needed (requiresAccessToken: false).
    const res = await target.anonymous().get(file.url.replace(target.publicUrl, '')).expect(200);
    expect(res.headers['content-type']).toContain('application/fhir+ndjson');
    const lines = res.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Resource);
    expect(lines).toHaveLength(file.count);
    expect(lines.every((r) => r.resourceType === file.type)).toBe(true);
    resources.push(...lines);
  }
  return { manifest, resources };
}

async function poll(agent: supertest.Agent, statusPath: string): Promise<Manifest> {
  for (let i = 0; i < 600; i++) {
    const res = await agent.get(statusPath);
    if (res.status === 200) {
      return JSON.parse(res.text) as Manifest;
    }
    expect(res.status).toBe(202);
    expect(res.headers['x-progress']).toBeDefined();
    expect(res.headers['retry-after']).toBe('2');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`export at ${statusPath} did not finish`);
}

const refs = (resources: Resource[]) => resources.map((r) => `${r.resourceType}/${r.id}`).sort();

describe('$export kick-off, status and files', () => {
  test('system level with _type: a manifest naming one NDJSON file per type, with counts', async () => {
    const { manifest, resources } = await exportAll(ehr, '/fhir/$export?_type=Patient,Observation');
    expect(manifest.requiresAccessToken).toBe(false);
    expect(manifest.request).toBe('http://medbuddy.test/fhir/$export?_type=Patient%2CObservation');
    expect(manifest.output.map((o) => o.type).sort()).toEqual(['Observation', 'Patient']);
    expect(refs(resources)).toEqual(expect.arrayContaining([patientA.profile, patientB.profile]));
    expect(resources.filter((r) => r.resourceType === 'Observation')).toHaveLength(3);
  });

  test('_typeFilter and _since narrow what is exported', async () => {
    const filtered = await exportAll(ehr, `/fhir/$export?_type=Observation&_typeFilter=${encodeURIComponent('Observation?code=29463-7')}`);
    expect(filtered.resources).toHaveLength(1);
    const future = await exportAll(ehr, '/fhir/$export?_type=Patient&_since=2999-01-01T00:00:00Z');
    expect(future.manifest.output).toEqual([]);
  });

  test('_typeFilter takes :in and :not-in: the value set is expanded at kick-off', async () => {
    await create({
      resourceType: 'ValueSet',
      url: 'http://medbuddy.test/ValueSet/body-weight',
      status: 'active',
      compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '29463-7' }] }] },
    } as Resource);
    const typeFilter = (query: string) => `/fhir/$export?_type=Observation&_typeFilter=${encodeURIComponent(`Observation?${query}`)}`;
    const weights = await exportAll(ehr, typeFilter('code:in=http://medbuddy.test/ValueSet/body-weight'));
    expect(weights.resources.map((r) => (r as Observation).code.coding?.[0].code)).toEqual(['29463-7']);
    const others = await exportAll(ehr, typeFilter('code:not-in=http://medbuddy.test/ValueSet/body-weight'));
    expect(others.resources.map((r) => (r as Observation).code.coding?.[0].code)).toEqual(['8867-4', '8867-4']);
  });

  test('_elements keeps the elements named (bare or per type) and the mandatory ones, tagged SUBSETTED', async () => {
    const { resources } = await exportAll(ehr, '/fhir/$export?_type=Patient,Observation&_elements=identifier,Observation.subject');
    const patient = resources.find((r) => `Patient/${r.id}` === patientA.profile) as Patient;
    expect(Object.keys(patient).filter((key) => !['id', 'identifier', 'meta', 'resourceType'].includes(key))).toEqual([]);
    expect(patient.meta?.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
    for (const observation of resources.filter((r): r is Observation => r.resourceType === 'Observation')) {
      expect(Object.keys(observation).sort()).toEqual(
        ['code', 'id', 'meta', 'resourceType', 'status', 'subject', ...(observation.identifier ? ['identifier'] : [])].sort(),
      );
    }
  });

  test('a POST kick-off takes its parameters from a Parameters body', async () => {
    const parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: '_type', valueString: 'Observation' },
        { name: '_typeFilter', valueString: 'Observation?code=29463-7' },
        { name: '_since', valueInstant: '2000-01-01T00:00:00Z' },
      ],
    };
    const kickoff = await ehr
      .post('/fhir/$export')
      .set('Content-Type', FHIR_JSON)
      .set('Prefer', 'respond-async')
      .send(JSON.stringify(parameters))
      .expect(202);
    const manifest = await poll(ehr, (kickoff.headers['content-location'] as string).replace(server.publicUrl, ''));
    expect(manifest.output).toEqual([expect.objectContaining({ type: 'Observation', count: 1 })]);

    const post = (parameter: unknown[]) =>
      ehr
        .post('/fhir/$export')
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ resourceType: 'Parameters', parameter }));
    expectOutcome(await post([{ name: '_kind', valueString: 'x' }]), 400, 'invalid');
    expectOutcome(await post([{ name: '_type', valueBoolean: true }]), 400, 'invalid');
    // patient narrows Patient and Group exports; a system-level export has no such parameter.
    expectOutcome(await post([{ name: 'patient', valueReference: { reference: patientA.profile } }]), 400, 'invalid');
    expectOutcome(await ehr.post('/fhir/$export').set('Content-Type', FHIR_JSON).send('{"resourceType":"Patient"}'), 400, 'invalid');
  });

  test('patient narrows Patient/$export to the patients listed, and Group/{id}/$export to those of its members', async () => {
    const kickoff = await ehr
      .post('/fhir/Patient/$export')
      .set('Content-Type', FHIR_JSON)
      .set('Prefer', 'respond-async')
      .send(
        JSON.stringify({
          resourceType: 'Parameters',
          parameter: [
            { name: '_type', valueString: 'Patient,Observation' },
            { name: 'patient', valueReference: { reference: `${server.baseUrl}/${patientB.profile}` } },
          ],
        }),
      )
      .expect(202);
    const manifest = await poll(ehr, (kickoff.headers['content-location'] as string).replace(server.publicUrl, ''));
    expect(manifest.output.map((o) => [o.type, o.count]).sort()).toEqual([
      ['Observation', 1],
      ['Patient', 1],
    ]);
    const notMember = await exportAll(ehr, `/fhir/Group/${groupId}/$export?_type=Patient&patient=${patientB.profile}`);
    expect(notMember.manifest.output).toEqual([]);
    const member = await exportAll(ehr, `/fhir/Group/${groupId}/$export?_type=Patient&patient=${patientA.profile}`);
    expect(refs(member.resources)).toEqual([patientA.profile]);
    expectOutcome(await ehr.get('/fhir/Patient/$export?patient=Observation/1'), 400, 'invalid');
  });

  test('Group/{id}/$export covers the members only; Patient/$export every patient', async () => {
    const group = await exportAll(ehr, `/fhir/Group/${groupId}/$export?_type=Patient,Observation`);
    expect(refs(group.resources).filter((r) => r.startsWith('Patient/'))).toEqual([patientA.profile]);
    expect(group.resources.filter((r) => r.resourceType === 'Observation')).toHaveLength(2);
    const all = await exportAll(ehr, '/fhir/Patient/$export?_type=Patient');
    expect(refs(all.resources)).toEqual(expect.arrayContaining([patientA.profile, patientB.profile]));
  });
});

describe('who gets what', () => {
  test('a system/Patient.read client exports only Patients; asking for Observation is 403', async () => {
    const narrow = server.withToken(await server.mintToken({ client_id: 'ehr-narrow', sub: 'ehr-narrow', scope: 'system/Patient.read' }));
    const { manifest } = await exportAll(narrow, '/fhir/$export');
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient']);
    expectOutcome(await narrow.get('/fhir/$export?_type=Observation'), 403, 'forbidden');
  });

  test('a patient token exports its own data only', async () => {
    const { resources } = await exportAll(patientA.agent, '/fhir/Patient/$export?_type=Patient,Observation');
    expect(refs(resources).filter((r) => r.startsWith('Patient/'))).toEqual([patientA.profile]);
    expect(resources.filter((r) => r.resourceType === 'Observation')).toHaveLength(2);
    const other = await exportAll(patientA.agent, `/fhir/Patient/$export?_type=Patient,Observation&patient=${patientB.profile}`);
    expect(other.manifest.output).toEqual([]);
  });

  test("another client's status URL and files are 404; without a token 401", async () => {
    const kickoff = await ehr.get('/fhir/$export?_type=Patient').expect(202);
    const statusPath = (kickoff.headers['content-location'] as string).replace(server.publicUrl, '');
    const manifest = await poll(ehr, statusPath);
    const other = server.withToken(await server.mintToken({ client_id: 'ehr-b', sub: 'ehr-b', scope: 'system/*.rs' }));
    expectOutcome(await other.get(statusPath), 404, 'not-found');
    const file = new URL(manifest.output[0].url);
    expect(file.searchParams.get('token')).toBeTruthy();
    // Without its signature a file is the owner's only; a tampered signature is refused.
    expectOutcome(await other.get(file.pathname), 404, 'not-found');
    expectOutcome(await server.anonymous().get(file.pathname), 401, 'login');
    expectOutcome(await server.anonymous().get(`${file.pathname}?token=${file.searchParams.get('token')}x`), 403, 'forbidden');
    await ehr.get(file.pathname).expect(200);
    expectOutcome(await patientA.agent.get(statusPath), 404, 'not-found');
    expectOutcome(await server.anonymous().get(statusPath), 401, 'login');
    expectOutcome(await server.anonymous().get('/fhir/$export'), 401, 'login');
  });
});

describe('bad input and limits', () => {
  test('unsupported _outputFormat, malformed _since, unknown _type, bad _typeFilter: 400', async () => {
    expectOutcome(await ehr.get('/fhir/$export?_outputFormat=application/json'), 400, 'invalid');
    expectOutcome(await ehr.get('/fhir/$export?_since=yesterday'), 400, 'invalid');
    expectOutcome(await ehr.get('/fhir/$export?_since=2026-13-45T99:00:00Z'), 400, 'invalid');
    expectOutcome(await ehr.get('/fhir/$export?_type=Nonsense'), 400, 'invalid');
    expectOutcome(await ehr.get('/fhir/$export?_type=Patient&_typeFilter=Observation%3Fcode%3Dx'), 400, 'invalid');
    // A query the export job could not run: refused at kick-off, not a failed job.
    for (const query of ['Observation?code:bogus=x', 'Observation?nonsense=1', 'Observation?code:in=http://nowhere.test/ValueSet/none']) {
      const res = await ehr.get(`/fhir/$export?_type=Observation&_typeFilter=${encodeURIComponent(query)}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expectOutcome(await ehr.get('/fhir/Patient/$export?_type=Organization'), 400, 'invalid');
    expectOutcome(await ehr.get('/fhir/Observation/$export'), 404, 'not-found');
    expectOutcome(await ehr.get('/fhir/$export?_type=Patient&_elements=Observation.subject'), 400, 'invalid');
    expectOutcome(await ehr.get('/fhir/$export?_type=Patient&_elements=name.family'), 400, 'invalid');
  });

  test('a flood of exports from one client gets 429 beyond two running; DELETE cancels a job', async () => {
    const flood = server.withToken(await server.mintToken({ client_id: 'ehr-flood', sub: 'ehr-flood', scope: 'system/*.rs' }));
    const answers = await Promise.all(Array.from({ length: 6 }, () => flood.get('/fhir/$export')));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(2);
    expectOutcome(answers.find((a) => a.status === 429) as supertest.Response, 429, 'throttled');
    for (const accepted of answers.filter((a) => a.status === 202)) {
      const statusPath = (accepted.headers['content-location'] as string).replace(server.publicUrl, '');
      await flood.delete(statusPath).expect(202);
      expectOutcome(await flood.get(statusPath), 404, 'not-found');
    }
  });
});

test('a job in progress when the server stops is finished by the next server on the same database', async () => {
  const database = await createThrowawayDatabase();
  try {
    const first = await startTestServer({ DATABASE_URL: database.url });
    await first.actAsPatient();
    const client = { client_id: 'ehr-restart', sub: 'ehr-restart', scope: 'system/*.rs' };
    const kickoff = await first
      .withToken(await first.mintToken(client))
      .get('/fhir/$export')
      .expect(202);
    const statusPath = (kickoff.headers['content-location'] as string).replace(first.publicUrl, '');
    await first.close();
    const second = await startTestServer({ DATABASE_URL: database.url });
    try {
      const manifest = await poll(second.withToken(await second.mintToken(client)), statusPath);
      expect(manifest.output.map((o) => o.type)).toEqual(expect.arrayContaining(['Patient']));
      const bundle = JSON.parse((await second.request.get('/fhir/Patient?_summary=count').expect(200)).text) as Bundle;
      expect(manifest.output.find((o) => o.type === 'Patient')?.count).toBe(bundle.total);
    } finally {
      await second.close();
    }
  } finally {
    await database.drop();
  }
});
