import type { AllergyIntolerance, Appointment, Bundle, Condition, MedicationStatement, Resource } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * The patient profile (issue 7): Condition, AllergyIntolerance and MedicationStatement in the
 * Patient compartment (compartmentdefinition-patient.html). The patient edits their own; a
 * doctor with a care relationship (a shared Appointment or Encounter that is not cancelled)
 * reads them and adds entries; every entry keeps its history (http.html#history).
 */
const FHIR_JSON = 'application/fhir+json';
let server: TestServer;
let patient: Actor;
let otherPatient: Actor;
let doctor: Actor;
let otherDoctor: Actor;
let cancelledDoctor: Actor;

async function create<T extends Resource>(agent: Actor['agent'], resource: T, status = 201): Promise<T> {
  const res = await agent.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect({ status: res.status, body: res.status === status ? '' : res.text }).toEqual({ status, body: '' });
  return JSON.parse(res.text) as T;
}

const ids = (res: { text: string }) => ((JSON.parse(res.text) as Bundle).entry ?? []).map((e) => e.resource?.id);

const condition = (subject: string, text: string): Condition => ({
  resourceType: 'Condition',
  subject: { reference: subject },
  code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertension' }], text },
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
});

const allergy = (patientRef: string): AllergyIntolerance => ({
  resourceType: 'AllergyIntolerance',
  patient: { reference: patientRef },
  code: { coding: [{ system: 'http://snomed.info/sct', code: '91936005', display: 'Allergy to penicillin' }] },
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
});

const medication = (subject: string): MedicationStatement => ({
  resourceType: 'MedicationStatement',
  status: 'active',
  subject: { reference: subject },
  medicationCodeableConcept: {
    coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '197361', display: 'Amlodipine 5 MG' }],
  },
});

function appointment(patientRef: string, doctorRef: string, status: Appointment['status']): Appointment {
  return {
    resourceType: 'Appointment',
    status,
    start: '2026-12-20T09:00:00Z',
    end: '2026-12-20T09:20:00Z',
    participant: [
      { actor: { reference: patientRef }, status: 'accepted' },
      { actor: { reference: doctorRef }, status: 'accepted' },
    ],
  };
}

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  otherPatient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  otherDoctor = await server.actAsDoctor();
  cancelledDoctor = await server.actAsDoctor();
  await create(server.request, appointment(patient.profile as string, doctor.profile as string, 'booked'));
  await create(server.request, appointment(patient.profile as string, cancelledDoctor.profile as string, 'cancelled'));
}, 180_000);
afterAll(() => server.close(), 60_000);

describe('the patient keeps their own profile', () => {
  test('creates, edits and reads conditions, allergies and medications, each with its history', async () => {
    const me = patient.profile as string;
    const saved = await create(patient.agent, condition(me, 'High blood pressure'));
    await create(patient.agent, allergy(me));
    await create(patient.agent, medication(me));
    const edited = { ...saved, note: [{ text: 'since 2020' }] };
    await patient.agent
      .put(`/fhir/Condition/${saved.id}`)
      .set('Content-Type', FHIR_JSON)
      .set('If-Match', 'W/"1"')
      .send(JSON.stringify(edited))
      .expect(200);
    const history = JSON.parse((await patient.agent.get(`/fhir/Condition/${saved.id}/_history`).expect(200)).text) as Bundle;
    expect(history.entry?.map((e) => e.resource?.meta?.versionId)).toEqual(['2', '1']);
    for (const type of ['Condition', 'AllergyIntolerance', 'MedicationStatement']) {
      expect(ids(await patient.agent.get(`/fhir/${type}?patient=${me}`).expect(200))).toHaveLength(1);
    }
  });

  test('cannot write into or read from another patient profile', async () => {
    const res = await patient.agent
      .post('/fhir/Condition')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(condition(otherPatient.profile as string, 'planted')));
    expectOutcome(res, 403, 'forbidden');
    const theirs = await create(otherPatient.agent, allergy(otherPatient.profile as string));
    expectOutcome(await patient.agent.get(`/fhir/AllergyIntolerance/${theirs.id}`), 404, 'not-found');
    expect(ids(await patient.agent.get(`/fhir/AllergyIntolerance?patient=${otherPatient.profile}`).expect(200))).toEqual([]);
  });
});

describe('doctors and the care relationship', () => {
  test('the doctor with an appointment reads the profile and adds a clinical entry', async () => {
    const me = patient.profile as string;
    await doctor.agent.get(`/fhir/${me}`).expect(200);
    expect(ids(await doctor.agent.get(`/fhir/MedicationStatement?subject=${me}`).expect(200))).toHaveLength(1);
    const added = await create(doctor.agent, { ...condition(me, 'Type 2 diabetes'), asserter: { reference: doctor.profile } });
    expect(ids(await patient.agent.get(`/fhir/Condition?_id=${added.id}`).expect(200))).toEqual([added.id]);
  });

  test('a doctor without one sees nothing and cannot write (404 / empty / 403)', async () => {
    const me = patient.profile as string;
    for (const other of [otherDoctor, cancelledDoctor]) {
      expectOutcome(await other.agent.get(`/fhir/${me}`), 404, 'not-found');
      expect(ids(await other.agent.get(`/fhir/Condition?subject=${me}`).expect(200))).toEqual([]);
      expect(ids(await other.agent.get(`/fhir/AllergyIntolerance`).expect(200))).toEqual([]);
      const res = await other.agent
        .post('/fhir/Condition')
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify(condition(me, 'x')));
      expectOutcome(res, 403, 'forbidden');
    }
  });

  test('a cancelled appointment stays visible to its doctor but opens nothing else', async () => {
    const theirs = JSON.parse((await cancelledDoctor.agent.get('/fhir/Appointment').expect(200)).text) as Bundle;
    expect(theirs.entry?.map((e) => (e.resource as { status?: string }).status)).toEqual(['cancelled']);
    expect(ids(await otherDoctor.agent.get('/fhir/Appointment').expect(200))).toEqual([]);
  });

  test('cancelling the only appointment ends the care relationship', async () => {
    const late = await server.actAsDoctor();
    const booked = await create(server.request, appointment(otherPatient.profile as string, late.profile as string, 'booked'));
    await late.agent.get(`/fhir/${otherPatient.profile}`).expect(200);
    await server.request
      .put(`/fhir/Appointment/${booked.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...booked, status: 'cancelled' }))
      .expect(200);
    expectOutcome(await late.agent.get(`/fhir/${otherPatient.profile}`), 404, 'not-found');
  });
});
