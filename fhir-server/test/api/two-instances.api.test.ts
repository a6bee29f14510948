import type { Bundle, Patient, SearchParameter } from '@medplum/fhirtypes';
import { checkedIn, videoToken } from '../setup/consultations';
import { SignallingClient } from '../setup/signalling-client';
import { createThrowawayDatabase } from '../setup/test-database';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Two server instances on one PostgreSQL database, as behind a load balancer (issue 14): what
 * one writes, the other uses at once, and races across them resolve as within one.
 */
const FHIR_JSON = 'application/fhir+json';
const COLOR = 'http://medbuddy.org/fhir/StructureDefinition/favorite-color-two-instances';
let database: { url: string; drop(): Promise<void> };
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  database = await createThrowawayDatabase();
  a = await startTestServer({ DATABASE_URL: database.url });
  b = await startTestServer({ DATABASE_URL: database.url });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await database.drop();
});

const colored = (color: string): Patient => ({
  resourceType: 'Patient',
  extension: [{ url: COLOR, valueCode: color }],
});

function post(server: TestServer, resource: object, headers: Record<string, string> = {}) {
  return server.request
    .post(`/fhir/${(resource as { resourceType: string }).resourceType}`)
    .set({ 'Content-Type': FHIR_JSON, ...headers })
    .send(JSON.stringify(resource));
}

async function ids(server: TestServer, query: string): Promise<string[]> {
  const bundle = JSON.parse((await server.request.get(`/fhir/${query}`).expect(200)).text) as Bundle;
  return (bundle.entry ?? []).map((e) => e.resource?.id as string).sort();
}

test('a SearchParameter created on one instance is used by the other at once', async () => {
  const before = JSON.parse((await post(a, colored('blue')).expect(201)).text) as Patient;
  // B knows nothing of the parameter yet: strict handling rejects it.
  await b.request.get('/fhir/Patient?favorite-color=blue').set('Prefer', 'handling=strict').expect(400);
  const parameter: SearchParameter = {
    resourceType: 'SearchParameter',
    url: 'http://medbuddy.org/fhir/SearchParameter/favorite-color-two-instances',
    name: 'favorite-color',
    status: 'active',
    description: 'A patient’s favourite colour',
    code: 'favorite-color',
    base: ['Patient'],
    type: 'token',
    expression: `Patient.extension.where(url='${COLOR}').value`,
  };
  await post(a, parameter).expect(201);
  const onB = JSON.parse((await post(b, colored('blue')).expect(201)).text) as Patient;
  const onA = JSON.parse((await post(a, colored('blue')).expect(201)).text) as Patient;
  await post(b, colored('red')).expect(201);
  const expected = [onA.id, onB.id].sort();
  for (const server of [a, b]) {
    const found = await ids(server, 'Patient?favorite-color=blue');
    expect(found).toEqual(expect.arrayContaining(expected));
  }
  // The resource stored before the parameter existed is reindexed in the background, by either instance.
  const deadline = Date.now() + 60_000;
  while (!(await ids(b, 'Patient?favorite-color=blue')).includes(before.id as string) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(await ids(b, 'Patient?favorite-color=blue')).toEqual([before.id, ...expected].sort());
  expect(await ids(a, 'Patient?favorite-color=blue')).toEqual([before.id, ...expected].sort());
});

test('conditional creates racing across both instances create one resource (http.html#ccreate)', async () => {
  const identifier = { system: 'urn:test:two-instances', value: 'race-1' };
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      post(
        i % 2 ? a : b,
        { resourceType: 'Patient', identifier: [identifier] },
        { 'If-None-Exist': 'identifier=urn:test:two-instances|race-1' },
      ),
    ),
  );
  expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
  expect(await ids(a, 'Patient?identifier=urn:test:two-instances|race-1')).toHaveLength(1);
});

test('a video room token from one instance joins the signalling of the other (the key derives from the shared signing key)', async () => {
  const patient = await a.actAsPatient();
  const doctor = await a.actAsDoctor();
  const { encounter } = await checkedIn(a, patient, doctor);
  const credentials = await videoToken(patient, encounter.id as string);
  const { client, joined } = await SignallingClient.join(b.address, credentials.token as string);
  try {
    expect(joined).toMatchObject({ type: 'joined', room: credentials.room });
  } finally {
    await client.close();
  }
});
