import type { Bundle, Resource } from '@medplum/fhirtypes';
import type supertest from 'supertest';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * The authorisation matrix: role x resource x interaction -> status, over every route type
 * (SMART App Launch scopes; compartmentdefinition-patient.html; http.html status codes:
 * 401 without a token, 403 outside the scopes, 404 for what the caller may not know exists).
 */
const FHIR_JSON = 'application/fhir+json';
let server: TestServer;
type Who = 'anon' | 'patient' | 'doctor' | 'otherDoctor' | 'unverified' | 'admin' | 'system' | 'backendObs';
const agents = {} as Record<Who, supertest.Agent>;
const ref: Record<string, string> = {};
let patient: Actor;
let doctor: Actor;
let otherDoctor: Actor;
let unverified: Actor;

async function create<T extends Resource>(resource: T): Promise<T & { id: string }> {
  const res = await server.request.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect([res.status, resource.resourceType, res.status === 201 ? '' : res.text]).toEqual([201, resource.resourceType, '']);
  return JSON.parse(res.text) as T & { id: string };
}

async function statusOf(who: Who, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<number> {
  const agent = agents[who];
  const call =
    method === 'GET'
      ? agent.get(path)
      : method === 'DELETE'
        ? agent.delete(path)
        : (method === 'POST' ? agent.post(path) : agent.put(path)).set('Content-Type', FHIR_JSON).send(JSON.stringify(body));
  return (await call).status;
}

/** Runs rows of [who, expected status] for one request and reports every mismatch at once. */
async function expectMatrix(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  expected: Partial<Record<Who, number>>,
  body?: () => unknown,
) {
  const actual: Partial<Record<Who, number>> = {};
  for (const who of Object.keys(expected) as Who[]) {
    actual[who] = await statusOf(who, method, path, body?.());
  }
  expect({ [`${method} ${path}`]: actual }).toEqual({ [`${method} ${path}`]: expected });
}

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  otherDoctor = await server.actAsDoctor();
  unverified = await server.actAsDoctor({ verified: false });
  const admin = await server.actAsAdmin();
  const backendObs = await server.mintToken({ client_id: 'lab-system', scope: 'system/Observation.rs' });
  Object.assign(agents, {
    anon: server.anonymous(),
    patient: patient.agent,
    doctor: doctor.agent,
    otherDoctor: otherDoctor.agent,
    unverified: unverified.agent,
    admin: admin.agent,
    system: server.request,
    backendObs: server.withToken(backendObs),
  });
  const other = await create({ resourceType: 'Patient', name: [{ family: 'Other' }] });
  ref.patient = patient.profile as string;
  ref.other = `Patient/${other.id}`;
  // The care relationship: an appointment between the patient and the doctor.
  await create({
    resourceType: 'Appointment',
    status: 'booked',
    start: '2026-12-01T09:00:00Z',
    end: '2026-12-01T09:20:00Z',
    participant: [
      { actor: { reference: ref.patient }, status: 'accepted' },
      { actor: { reference: doctor.profile }, status: 'accepted' },
    ],
  });
  ref.obsPatient = `Observation/${(await create({ resourceType: 'Observation', status: 'final', code: { text: 'p' }, subject: { reference: ref.patient } })).id}`;
  ref.obsOther = `Observation/${(await create({ resourceType: 'Observation', status: 'final', code: { text: 'o' }, subject: { reference: ref.other } })).id}`;
  const schedule = await create({ resourceType: 'Schedule', actor: [{ reference: doctor.profile }] });
  ref.schedule = `Schedule/${schedule.id}`;
  const hiddenSchedule = await create({ resourceType: 'Schedule', actor: [{ reference: unverified.profile }] });
  ref.hiddenSchedule = `Schedule/${hiddenSchedule.id}`;
  const slot = (status: 'free' | 'busy', scheduleRef: string) =>
    create({
      resourceType: 'Slot',
      status,
      schedule: { reference: scheduleRef },
      start: '2026-12-01T09:00:00Z',
      end: '2026-12-01T09:20:00Z',
    });
  ref.freeSlot = `Slot/${(await slot('free', ref.schedule)).id}`;
  ref.busySlot = `Slot/${(await slot('busy', ref.schedule)).id}`;
  ref.hiddenSlot = `Slot/${(await slot('free', ref.hiddenSchedule)).id}`;
  ref.audit = `AuditEvent/${
    (
      await create({
        resourceType: 'AuditEvent',
        type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' },
        recorded: '2026-11-25T10:00:00Z',
        agent: [{ requestor: true, who: { display: 'tester' } }],
        source: { observer: { display: 'test' } },
      })
    ).id
  }`;
  ref.codeSystem = `CodeSystem/${(await create({ resourceType: 'CodeSystem', status: 'active', content: 'complete', url: 'urn:test:cs' })).id}`;
  ref.organization = `Organization/${(await create({ resourceType: 'Organization', name: 'Clinic' })).id}`;
  ref.medication = `Medication/${(await create({ resourceType: 'Medication', code: { text: 'aspirin' } })).id}`;
});
afterAll(() => server.close());

describe('read (http.html#read) per role', () => {
  test('patient data: the patient, the related doctor and system clients only', async () => {
    for (const path of [ref.patient, ref.obsPatient]) {
      await expectMatrix('GET', `/fhir/${path}`, {
        anon: 401,
        patient: 200,
        doctor: 200,
        otherDoctor: 404,
        unverified: 404,
        admin: 403,
        system: 200,
      });
    }
    await expectMatrix('GET', `/fhir/${ref.obsOther}`, { anon: 401, patient: 404, doctor: 404, admin: 403, system: 200, backendObs: 200 });
    await expectMatrix('GET', `/fhir/${ref.patient}`, { backendObs: 403 });
  });

  test('directory: verified doctors, their schedules and free slots are public; the rest is not', async () => {
    await expectMatrix('GET', `/fhir/${doctor.profile}`, { anon: 200, patient: 200, otherDoctor: 200, admin: 200 });
    await expectMatrix('GET', `/fhir/${unverified.profile}`, { anon: 404, patient: 404, doctor: 404, unverified: 200, admin: 200 });
    await expectMatrix('GET', `/fhir/${ref.schedule}`, { anon: 200, patient: 200, doctor: 200 });
    await expectMatrix('GET', `/fhir/${ref.hiddenSchedule}`, { anon: 404, patient: 404, unverified: 200, admin: 200 });
    await expectMatrix('GET', `/fhir/${ref.freeSlot}`, { anon: 200, patient: 200 });
    await expectMatrix('GET', `/fhir/${ref.busySlot}`, { anon: 404, patient: 404, doctor: 200, otherDoctor: 404, admin: 200 });
    await expectMatrix('GET', `/fhir/${ref.hiddenSlot}`, { anon: 404, patient: 404, unverified: 200 });
    await expectMatrix('GET', `/fhir/${ref.organization}`, { anon: 200, patient: 200, doctor: 200, admin: 200 });
    await expectMatrix('GET', `/fhir/${ref.codeSystem}`, { anon: 200, patient: 200, doctor: 200, admin: 200 });
  });

  test('AuditEvent is for admins and system clients; shared reference data for clinicians', async () => {
    await expectMatrix('GET', `/fhir/${ref.audit}`, { anon: 401, patient: 403, doctor: 403, admin: 200, system: 200 });
    await expectMatrix('GET', `/fhir/${ref.medication}`, { anon: 401, patient: 403, doctor: 200, admin: 403, system: 200 });
  });

  test('metadata is public; everything else without a token is 401 with WWW-Authenticate (RFC 6750)', async () => {
    await expectMatrix('GET', '/fhir/metadata', { anon: 200, patient: 200 });
    const res = await server.anonymous().get('/fhir/Observation');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="medbuddy"');
    await expectMatrix('GET', '/fhir/_history', { anon: 401, patient: 200 });
    await expectMatrix('POST', '/fhir', { anon: 401 }, () => ({ resourceType: 'Bundle', type: 'batch', entry: [] }));
  });
});

describe('search and history (search.html, http.html#history) per role', () => {
  const visible = async (who: Who, path: string) =>
    (JSON.parse((await agents[who].get(path).expect(200)).text) as Bundle).entry
      ?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`)
      .sort() ?? [];

  test('search returns only what each role may see', async () => {
    expect(await visible('anon', '/fhir/Practitioner')).toEqual([doctor.profile, otherDoctor.profile].sort());
    expect(await visible('unverified', '/fhir/Practitioner')).toEqual([doctor.profile, otherDoctor.profile, unverified.profile].sort());
    expect(await visible('anon', '/fhir/Slot')).toEqual([ref.freeSlot]);
    expect(await visible('doctor', '/fhir/Slot')).toEqual([ref.freeSlot, ref.busySlot].sort());
    expect(await visible('doctor', '/fhir/Observation')).toEqual([ref.obsPatient]);
    expect(await visible('otherDoctor', '/fhir/Observation')).toEqual([]);
    expect(await visible('patient', '/fhir/Observation')).toEqual([ref.obsPatient]);
    expect(await visible('backendObs', '/fhir/Observation')).toEqual([ref.obsOther, ref.obsPatient].sort());
    expect(await visible('admin', `/fhir/AuditEvent?_id=${ref.audit.split('/')[1]}`)).toEqual([ref.audit]);
  });

  test('search outside the scopes is 403 (or 401 anonymously)', async () => {
    await expectMatrix('GET', '/fhir/Observation', { anon: 401, admin: 403, patient: 200 });
    await expectMatrix('GET', '/fhir/AuditEvent', { anon: 401, patient: 403, doctor: 403, admin: 200, system: 200 });
    await expectMatrix('GET', '/fhir/Patient', { backendObs: 403, admin: 403 });
  });

  test('system history hides what is not visible', async () => {
    const anonDirectory = await visible('otherDoctor', '/fhir/_history');
    expect(anonDirectory).not.toContain(ref.obsPatient);
    expect(anonDirectory).not.toContain(ref.busySlot);
    expect(await visible('doctor', '/fhir/Observation/_history')).toEqual([ref.obsPatient]);
  });
});

describe('writes (http.html#create, #update, #delete) per role', () => {
  const observationFor = (subject: string) => () => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'w' },
    subject: { reference: subject },
  });

  test('clinical writes: the patient and the related doctor, inside the compartment only', async () => {
    await expectMatrix(
      'POST',
      '/fhir/Observation',
      { anon: 401, patient: 201, doctor: 201, otherDoctor: 403, unverified: 403, admin: 403, system: 201, backendObs: 403 },
      observationFor(ref.patient),
    );
    await expectMatrix('POST', '/fhir/Observation', { patient: 403, doctor: 403 }, observationFor(ref.other));
  });

  test('a doctor edits their own profile and schedules, cannot verify themselves; an admin verifies', async () => {
    const practitioner = JSON.parse((await server.request.get(`/fhir/${doctor.profile}`)).text);
    await expectMatrix('PUT', `/fhir/${doctor.profile}`, { doctor: 200, otherDoctor: 403, patient: 403, anon: 401 }, () => ({
      ...practitioner,
      gender: 'female',
    }));
    await expectMatrix('PUT', `/fhir/${doctor.profile}`, { doctor: 403 }, () => ({ ...practitioner, active: false }));
    const pending = JSON.parse((await server.request.get(`/fhir/${unverified.profile}`)).text);
    await expectMatrix('PUT', `/fhir/${unverified.profile}`, { unverified: 403 }, () => ({ ...pending, active: true }));
    await expectMatrix('POST', '/fhir/Schedule', { doctor: 201, otherDoctor: 403, patient: 403 }, () => ({
      resourceType: 'Schedule',
      actor: [{ reference: doctor.profile }],
    }));
    await expectMatrix('POST', '/fhir/Slot', { doctor: 201, otherDoctor: 403 }, () => ({
      resourceType: 'Slot',
      status: 'free',
      schedule: { reference: ref.schedule },
      start: '2026-12-02T09:00:00Z',
      end: '2026-12-02T09:20:00Z',
    }));
    await expectMatrix('PUT', `/fhir/${unverified.profile}`, { admin: 200 }, () => ({ ...pending, active: true }));
    await expectMatrix('GET', `/fhir/${unverified.profile}`, { anon: 200 });
  });

  test('terminology is written by admins; AuditEvents by nobody after creation', async () => {
    await expectMatrix('POST', '/fhir/CodeSystem', { admin: 201, patient: 403, doctor: 403, anon: 401 }, () => ({
      resourceType: 'CodeSystem',
      status: 'draft',
      content: 'example',
    }));
    const audit = JSON.parse((await server.request.get(`/fhir/${ref.audit}`)).text);
    await expectMatrix('PUT', `/fhir/${ref.audit}`, { system: 403, admin: 403 }, () => audit);
    await expectMatrix('DELETE', `/fhir/${ref.audit}`, { system: 403, admin: 403 });
    await server.request.get(`/fhir/${ref.audit}`).expect(200);
  });
});

describe('a doctor sees only the patients they have an Appointment or Encounter with, by every route', () => {
  const visible = async (who: Who, path: string) =>
    (JSON.parse((await agents[who].get(path).expect(200)).text) as Bundle).entry
      ?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`)
      .sort() ?? [];

  beforeAll(async () => {
    // The other doctor cares for the other patient.
    await create({
      resourceType: 'Appointment',
      status: 'booked',
      start: '2026-12-03T09:00:00Z',
      end: '2026-12-03T09:20:00Z',
      participant: [
        { actor: { reference: ref.other }, status: 'accepted' },
        { actor: { reference: otherDoctor.profile }, status: 'accepted' },
      ],
    });
  });

  test('Patient search and history: the related patient only', async () => {
    expect(await visible('doctor', '/fhir/Patient')).toEqual([ref.patient]);
    expect(await visible('otherDoctor', '/fhir/Patient')).toEqual([ref.other]);
    expect(await visible('unverified', '/fhir/Patient')).toEqual([]);
    expect(await visible('doctor', '/fhir/Patient/_history')).toEqual([ref.patient]);
    await expectMatrix('GET', `/fhir/${ref.other}/_history/1`, { doctor: 404, otherDoctor: 200, patient: 404, system: 200 });
  });

  test('compartment search of a patient the caller may not see is 404 (http.html#vsearch)', async () => {
    await expectMatrix('GET', `/fhir/${ref.patient}/*`, { patient: 200, doctor: 200, otherDoctor: 404, unverified: 404, system: 200 });
    await expectMatrix('GET', `/fhir/${ref.other}/Observation`, { patient: 404, doctor: 404, otherDoctor: 200, system: 200 });
    // A backend client that may read no Patient searches the compartment, filtered by type.
    expect(await visible('backendObs', `/fhir/${ref.other}/Observation`)).toEqual([ref.obsOther]);
  });

  test('chains and _has do not reach the patients of other doctors (search.html#chaining, #has)', async () => {
    const res = await doctor.agent
      .post('/fhir/Observation')
      .set('Content-Type', FHIR_JSON)
      .send(
        JSON.stringify({
          resourceType: 'Observation',
          status: 'final',
          code: { text: 'f' },
          subject: { reference: ref.patient },
          focus: [{ reference: ref.other }],
        }),
      );
    expect(res.status).toBe(201);
    const probe = `Observation/${JSON.parse(res.text).id}`;
    expect(await visible('doctor', '/fhir/Observation?focus:Patient.family=Other')).toEqual([]);
    expect(await visible('system', '/fhir/Observation?focus:Patient.family=Other')).toEqual([probe]);
    const hasPath = `/fhir/Practitioner?_has:Appointment:practitioner:patient=${ref.other}`;
    expect(await visible('doctor', hasPath)).toEqual([]);
    expect(await visible('otherDoctor', hasPath)).toEqual([otherDoctor.profile]);
    expect(await visible('anon', hasPath)).toEqual([]);
  });
});
