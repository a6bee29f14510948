import type { Bundle, Observation } from '@medplum/fhirtypes';
import { createAs } from '../setup/consultation';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * `Observation/$lastn` (observation-operation-lastn.html): the latest observations of each code
 * for a patient, e.g. the vitals a doctor looks at before a consultation.
 */
const LOINC = 'http://loinc.org';
const VITALS = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] };
let server: TestServer;
let patient: Actor;
let other: Actor;
/** The patient's observations by name: `weight-1` is the oldest weight. */
const ids = new Map<string, string>();

function observation(subject: string, code: string, effective: string, category = VITALS): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [category],
    code: { coding: [{ system: LOINC, code }] },
    subject: { reference: subject },
    effectiveDateTime: effective,
  };
}

async function lastn(actor: Actor, query: string): Promise<string[]> {
  const bundle = JSON.parse((await actor.agent.get(`/fhir/Observation/$lastn?${query}`).expect(200)).text) as Bundle;
  expect(bundle.type).toBe('searchset');
  const byId = new Map([...ids].map(([name, id]) => [id, name]));
  return (bundle.entry ?? []).map((e) => byId.get(e.resource?.id as string) ?? `other ${e.resource?.id}`);
}

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  other = await server.actAsPatient();
  const own = patient.profile as string;
  const created: [string, Observation][] = [
    ['weight-1', observation(own, '29463-7', '2026-10-01T08:00:00Z')],
    ['weight-2', observation(own, '29463-7', '2026-11-01T08:00:00Z')],
    ['weight-3', observation(own, '29463-7', '2026-11-20T08:00:00Z')],
    ['pulse-1', observation(own, '8867-4', '2026-11-02T08:00:00Z')],
    ['pulse-2', observation(own, '8867-4', '2026-11-21T08:00:00Z')],
    [
      'glucose-1',
      observation(own, '2339-0', '2026-11-22T08:00:00Z', { coding: [{ system: VITALS.coding[0].system, code: 'laboratory' }] }),
    ],
  ];
  for (const [name, resource] of created) {
    ids.set(name, (await createAs(server.request, resource)).id as string);
  }
  // Another patient's newer weight: never theirs to see, never in this patient's answer.
  await createAs(server.request, observation(other.profile as string, '29463-7', '2026-11-25T08:00:00Z'));
}, 180_000);
afterAll(() => server.close(), 60_000);

test('the latest observation of each code, newest first; max=n the n latest of each', async () => {
  expect(await lastn(patient, `patient=${patient.profile}`)).toEqual(['glucose-1', 'pulse-2', 'weight-3']);
  expect(await lastn(patient, `patient=${patient.profile}&max=2`)).toEqual(['glucose-1', 'pulse-2', 'weight-3', 'pulse-1', 'weight-2']);
});

test('the other search parameters narrow what is grouped: category, code, date', async () => {
  expect(await lastn({ agent: server.request } as Actor, `patient=${patient.profile}&category=vital-signs&max=5`)).toEqual([
    'pulse-2',
    'weight-3',
    'pulse-1',
    'weight-2',
    'weight-1',
  ]);
  expect(await lastn(patient, `patient=${patient.profile}&code=${LOINC}|29463-7&date=lt2026-11-15&max=3`)).toEqual([
    'weight-2',
    'weight-1',
  ]);
});

test("a patient never gets another patient's observations", async () => {
  expect(await lastn(other, `patient=${patient.profile}`)).toEqual([]);
  expect((await lastn(other, `patient=${other.profile}`)).every((name) => name.startsWith('other '))).toBe(true);
});

test('bad input: no patient, max out of range, result parameters that $lastn sets itself, a POST body', async () => {
  const get = (query: string) => patient.agent.get(`/fhir/Observation/$lastn?${query}`);
  expectOutcome(await get('category=vital-signs'), 400, 'invalid');
  for (const max of ['0', '101', 'x', '-1', '1.5']) {
    expectOutcome(await get(`patient=${patient.profile}&max=${max}`), 400, 'invalid');
  }
  expectOutcome(await get(`patient=${patient.profile}&_sort=date`), 400, 'invalid');
  expectOutcome(await get(`patient=${patient.profile}&_count=5`), 400, 'invalid');
  const posted = await patient.agent
    .post('/fhir/Observation/$lastn')
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'max', valueInteger: 2 }] }));
  expectOutcome(posted, 400, 'invalid');
});
