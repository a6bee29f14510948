import type { Resource } from '@medplum/fhirtypes';
import { allPages, linkPath, matchIds, matchSet, putAll, searchBundle } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Reference parameters that are another parameter narrowed to one target type (Observation
 * `patient` = `subject` of a Patient, AuditEvent `patient` = `agent` or `entity` of a Patient)
 * store no rows of their own for local targets (indexed-parameters.ts referenceDerivation).
 * Every form of search on them must still answer as if they did.
 */
let server: TestServer;
const ids = (query: string) => matchSet(server, query);
/** AuditEvents get server ids (they cannot be created by update): the fixture names of those matched. */
let auditNames: Map<string, string>;
/** The fixture AuditEvents matched, by name: the server adds its own for every request. */
const fixtureAudits = async (query: string) =>
  (await matchIds(server, `${query}&_count=1000`))
    .map((id) => auditNames.get(id))
    .filter((name) => name !== undefined)
    .sort();

const observation = (id: string, subject: string, code: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: subject },
});

const appointment = (id: string, ...actors: string[]) => ({
  resourceType: 'Appointment',
  id,
  status: 'proposed',
  participant: actors.map((reference) => ({ actor: { reference }, status: 'accepted' })),
});

const fixtures = [
  { resourceType: 'Patient', id: 'ana', name: [{ family: 'Alvarez' }] },
  { resourceType: 'Patient', id: 'ben', name: [{ family: 'Brown' }] },
  { resourceType: 'Group', id: 'ward', type: 'person', actual: true },
  observation('o-ana', 'Patient/ana', '8480-6'),
  observation('o-ben', 'Patient/ben', '8462-4'),
  observation('o-ward', 'Group/ward', '8480-6'),
  observation('o-far', 'http://elsewhere.org/fhir/Patient/9', '8480-6'),
  { resourceType: 'Condition', id: 'c-ana', subject: { reference: 'Patient/ana' } },
  // Keys (lowest Patient actor): ap-1 Patient/ana, ap-2 Patient/ana, ap-3 Patient/ben; ap-4 has none.
  appointment('ap-3', 'Practitioner/doc', 'Patient/ben'),
  appointment('ap-1', 'Patient/ana', 'Practitioner/doc'),
  appointment('ap-2', 'Patient/ben', 'Patient/ana'),
  appointment('ap-4', 'Practitioner/doc', 'Location/room'),
  {
    resourceType: 'AuditEvent',
    id: 'ae-by-ana',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    recorded: '2026-11-01T10:00:00Z',
    agent: [{ who: { reference: 'Patient/ana' }, requestor: true }],
    source: { observer: { display: 'server' } },
    entity: [{ what: { reference: 'Practitioner/doc' } }],
  },
  {
    resourceType: 'AuditEvent',
    id: 'ae-about-ben',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    recorded: '2026-11-01T11:00:00Z',
    agent: [{ who: { reference: 'Practitioner/doc' }, requestor: true }],
    source: { observer: { display: 'server' } },
    entity: [{ what: { reference: 'Patient/ben' } }, { what: { reference: 'Observation/o-ben' } }],
  },
] as (Resource & { id: string })[];

beforeAll(async () => {
  server = await startTestServer();
  const stored = await putAll(server, fixtures);
  auditNames = new Map([...stored].filter(([key]) => key.startsWith('AuditEvent/')).map(([key, id]) => [id, key.split('/')[1]]));
});
afterAll(() => server.close());

test('the narrowed parameter matches only its target type; the source matches every target', async () => {
  expect(await ids('Observation?patient=Patient/ana')).toEqual(['o-ana']);
  expect(await ids('Observation?patient=ben')).toEqual(['o-ben']);
  expect(await ids('Observation?patient:Patient=ana,ben')).toEqual(['o-ana', 'o-ben']);
  expect(await ids('Observation?patient=Group/ward')).toEqual([]);
  expect(await ids('Observation?subject=Group/ward')).toEqual(['o-ward']);
  expect(await ids('Observation?patient=http://elsewhere.org/fhir/Patient/9')).toEqual(['o-far']);
});

test('AuditEvent patient: a patient as the agent or as an entity (search parameter patient of AuditEvent)', async () => {
  expect(await fixtureAudits('AuditEvent?patient=Patient/ana')).toEqual(['ae-by-ana']);
  expect(await fixtureAudits('AuditEvent?patient=Patient/ben')).toEqual(['ae-about-ben']);
  expect(await fixtureAudits('AuditEvent?patient=Patient/ana,Patient/ben')).toEqual(['ae-about-ben', 'ae-by-ana']);
  expect(await fixtureAudits('AuditEvent?patient=Practitioner/doc')).toEqual([]);
  expect(await fixtureAudits('AuditEvent?agent=Practitioner/doc&patient=ben')).toEqual(['ae-about-ben']);
});

test(':missing counts only rows of the target type', async () => {
  expect(await ids('Observation?patient:missing=true')).toEqual(['o-ward']);
  expect(await ids('Observation?patient:missing=false')).toEqual(['o-ana', 'o-ben', 'o-far']);
  expect(await fixtureAudits('AuditEvent?patient:missing=true')).toEqual([]);
});

test('chains, reverse chains and _include go through the narrowed rows', async () => {
  expect(await ids('Observation?patient.family=alvarez')).toEqual(['o-ana']);
  expect(await fixtureAudits('AuditEvent?patient.family=brown')).toEqual(['ae-about-ben']);
  expect(await ids('Patient?_has:Observation:patient:code=8480-6')).toEqual(['ana']);
  expect(await ids('Patient?_has:AuditEvent:patient:agent=Practitioner/doc')).toEqual(['ben']);
  const bundle = await searchBundle(server, 'Observation?code=8462-4&_include=Observation:patient');
  expect(bundle.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort()).toEqual(['Observation/o-ben', 'Patient/ben']);
});

test('_sort by the narrowed parameter and by a parameter of its target; several types at once', async () => {
  expect(await matchIds(server, 'Observation?_sort=patient')).toEqual(['o-ana', 'o-ben', 'o-far', 'o-ward']);
  expect(await matchIds(server, 'Observation?patient:missing=false&_sort=-patient.family')).toEqual(['o-ben', 'o-ana', 'o-far']);
  expect(await ids('?_type=Observation,Condition&patient=Patient/ana')).toEqual(['c-ana', 'o-ana']);
  expect(await matchIds(server, '?_type=Observation,Condition&patient=ana&_sort=patient,_id')).toEqual(['c-ana', 'o-ana']);
});

/** The ids of every page of a search, through its next links. */
const allIds = async (first: string) => (await allPages(server, first)).map((resource) => resource.id);

test.each([
  ['a walk of the source rows in key order', ''],
  ['filtered on the same resources', '&status=proposed'],
])('_sort by a derived parameter of several sources: %s, ascending and descending, paged', async (_, filter) => {
  // A resource's key is its lowest Patient actor (highest descending; ties by id in the same direction).
  expect(await matchIds(server, `Appointment?_sort=patient${filter}`)).toEqual(['ap-1', 'ap-2', 'ap-3', 'ap-4']);
  expect(await matchIds(server, `Appointment?_sort=-patient${filter}`)).toEqual(['ap-3', 'ap-2', 'ap-1', 'ap-4']);
  expect(await allIds(`Appointment?_sort=patient${filter}&_count=1`)).toEqual(['ap-1', 'ap-2', 'ap-3', 'ap-4']);
  expect(await allIds(`Appointment?_sort=-patient${filter}&_count=1`)).toEqual(['ap-3', 'ap-2', 'ap-1', 'ap-4']);
  expect(await matchIds(server, `Appointment?_sort=practitioner${filter}`)).toEqual(['ap-1', 'ap-3', 'ap-4', 'ap-2']);
});

test('_sort by a derived parameter, paged back from the last page through previous links', async () => {
  let page = await searchBundle(server, 'Appointment?_sort=patient&_count=1');
  for (let next = linkPath(server, page, 'next'); next; next = linkPath(server, page, 'next')) {
    page = await searchBundle(server, next);
  }
  const backwards = [page.entry?.[0].resource?.id];
  for (let previous = linkPath(server, page, 'previous'); previous; previous = linkPath(server, page, 'previous')) {
    page = await searchBundle(server, previous);
    backwards.push(page.entry?.[0].resource?.id);
  }
  expect(backwards).toEqual(['ap-4', 'ap-3', 'ap-2', 'ap-1']);
});

test('_sort by a derived parameter within a compartment', async () => {
  expect(await matchIds(server, 'Patient/ben/Appointment?_sort=-patient')).toEqual(['ap-3', 'ap-2']);
  expect(await allIds('Patient/ana/Appointment?_sort=patient&_count=1')).toEqual(['ap-1', 'ap-2']);
});
