import type { Appointment, Bundle, Patient, Practitioner, Resource } from '@medplum/fhirtypes';
import { makePatient } from '../setup/factories';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type TestServer } from '../setup/test-server';

const FHIR_JSON = 'application/fhir+json';
let server: TestServer;
let practitioner: Practitioner;
let patient: Patient;
let appointment: Appointment;

async function create<T extends Resource>(resource: T): Promise<T> {
  const res = await server.request.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect(res.status).toBe(201);
  return JSON.parse(res.text) as T;
}

async function search(query: string): Promise<Bundle> {
  const res = await server.request.get(`/fhir/${query}`);
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as Bundle;
}

const entriesOf = (bundle: Bundle) => bundle.entry?.map((e) => [e.search?.mode, `${e.resource?.resourceType}/${e.resource?.id}`]);

beforeAll(async () => {
  server = await startTestServer();
  practitioner = await create<Practitioner>({ resourceType: 'Practitioner', name: [{ family: 'House' }] });
  patient = await create<Patient>(makePatient({ generalPractitioner: [{ reference: `Practitioner/${practitioner.id}` }] }));
  const otherPatient = await create<Patient>(makePatient());
  await create<Appointment>({
    resourceType: 'Appointment',
    status: 'proposed',
    participant: [{ actor: { reference: `Patient/${otherPatient.id}` }, status: 'needs-action' }],
  });
  appointment = await create<Appointment>({
    resourceType: 'Appointment',
    status: 'booked',
    start: '2026-12-01T09:00:00Z',
    end: '2026-12-01T09:20:00Z',
    participant: [
      { actor: { reference: `Patient/${patient.id}` }, status: 'accepted' },
      { actor: { reference: `Practitioner/${practitioner.id}` }, status: 'accepted' },
    ],
  });
});
afterAll(() => server.close());

describe('_include and _revinclude (search.html#include)', () => {
  test('_include adds the referenced resources once, marked include', async () => {
    const bundle = await search(
      `Appointment?_id=${appointment.id}&_include=Appointment:practitioner&_include=Appointment:actor:Practitioner`,
    );
    expect(entriesOf(bundle)).toEqual([
      ['match', `Appointment/${appointment.id}`],
      ['include', `Practitioner/${practitioner.id}`],
    ]);
  });

  test('_include:iterate follows references of included resources', async () => {
    const bundle = await search(
      `Appointment?_id=${appointment.id}&_include=Appointment:patient&_include:iterate=Patient:general-practitioner`,
    );
    expect(entriesOf(bundle)).toEqual([
      ['match', `Appointment/${appointment.id}`],
      ['include', `Patient/${patient.id}`],
      ['include', `Practitioner/${practitioner.id}`],
    ]);
  });

  test('_revinclude adds the resources that reference the matches', async () => {
    const bundle = await search(`Patient?_id=${patient.id}&_revinclude=Appointment:patient`);
    expect(entriesOf(bundle)).toEqual([
      ['match', `Patient/${patient.id}`],
      ['include', `Appointment/${appointment.id}`],
    ]);
  });

  test('the wildcard * includes through every reference parameter, of the searched type or of one named', async () => {
    const everything = [
      ['match', `Appointment/${appointment.id}`],
      ['include', `Patient/${patient.id}`],
      ['include', `Practitioner/${practitioner.id}`],
    ];
    // The order of included resources is not the spec's concern.
    const byText = (a: (string | undefined)[], b: (string | undefined)[]) => a.join().localeCompare(b.join());
    const sorted = (bundle: Bundle) => entriesOf(bundle)?.sort(byText);
    const sortedEverything = [...everything].sort(byText);
    expect(sorted(await search(`Appointment?_id=${appointment.id}&_include=*`))).toEqual(sortedEverything);
    expect(sorted(await search(`Appointment?_id=${appointment.id}&_include=Appointment:*`))).toEqual(sortedEverything);
    expect(entriesOf(await search(`Appointment?_id=${appointment.id}&_include=Appointment:*:Practitioner`))).toEqual([
      ['match', `Appointment/${appointment.id}`],
      ['include', `Practitioner/${practitioner.id}`],
    ]);
    expect(entriesOf(await search(`Practitioner?_id=${practitioner.id}&_revinclude=Patient:*`))).toEqual([
      ['match', `Practitioner/${practitioner.id}`],
      ['include', `Patient/${patient.id}`],
    ]);
  });

  test('malformed includes are 400', async () => {
    expectOutcome(await server.request.get('/fhir/Appointment?_include=Spaceship:pilot'), 400, 'invalid');
    expectOutcome(await server.request.get('/fhir/Patient?_include=Patient:name'), 400, 'invalid');
    expectOutcome(await server.request.get('/fhir/Patient?_revinclude=*'), 400, 'invalid');
    expectOutcome(await server.request.get('/fhir/Patient?_include=*:*'), 400, 'invalid');
    expectOutcome(await server.request.get('/fhir/Patient?_include=Patient:general-practitioner:Nothing'), 400, 'invalid');
  });
});
