import type { Appointment, AuditEvent, Bundle, Encounter } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * The waiting room and the Appointment/Encounter lifecycle through HTTP: check-in, admit, end,
 * no-shows, the state machine on ordinary writes, and who may do what.
 */
const FHIR_JSON = 'application/fhir+json';
const MINUTE = 60_000;
let server: TestServer;
let patient: Actor;
let doctor: Actor;
let otherPatient: Actor;
let otherDoctor: Actor;

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  otherPatient = await server.actAsPatient();
  otherDoctor = await server.actAsDoctor();
});
afterAll(() => server.close());

/** A booked appointment between patient and doctor starting `startsIn` minutes from now (30 minutes long). */
async function bookedAppointment(startsIn: number, who = { patient, doctor }, status = 'booked'): Promise<Appointment> {
  const start = new Date(Date.now() + startsIn * MINUTE);
  const appointment: Appointment = {
    resourceType: 'Appointment',
    status: status as Appointment['status'],
    start: start.toISOString(),
    end: new Date(start.getTime() + 30 * MINUTE).toISOString(),
    participant: [
      { actor: { reference: who.patient.profile }, status: 'accepted' },
      { actor: { reference: who.doctor.profile }, status: 'accepted' },
    ],
  };
  const res = await server.request.post('/fhir/Appointment').set('Content-Type', FHIR_JSON).send(JSON.stringify(appointment)).expect(201);
  return JSON.parse(res.text) as Appointment;
}

const post = (actor: Actor, path: string) =>
  actor.agent.post(`/fhir/${path}`).set('Content-Type', FHIR_JSON).send('{"resourceType":"Parameters"}');

async function read<T>(path: string): Promise<T> {
  return JSON.parse((await server.request.get(`/fhir/${path}`).expect(200)).text) as T;
}

async function checkIn(appointment: Appointment, actor = patient): Promise<Encounter> {
  const res = await post(actor, `Appointment/${appointment.id}/$check-in`);
  expect([200, 201]).toContain(res.status);
  return JSON.parse(res.text) as Encounter;
}

describe('waiting room: check in, admit, end', () => {
  test('the patient checks in, the doctor sees them waiting, admits them and ends the consultation', async () => {
    const appointment = await bookedAppointment(10);
    const first = await post(patient, `Appointment/${appointment.id}/$check-in`).expect(201);
    const encounter = JSON.parse(first.text) as Encounter;
    expect(encounter).toMatchObject({
      resourceType: 'Encounter',
      status: 'arrived',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
      subject: { reference: patient.profile },
      participant: [{ individual: { reference: doctor.profile } }],
      appointment: [{ reference: `Appointment/${appointment.id}` }],
    });
    expect((await read<Appointment>(`Appointment/${appointment.id}`)).status).toBe('arrived');

    // Rejoining the waiting room: the same Encounter, nothing new written.
    const again = await post(patient, `Appointment/${appointment.id}/$check-in`).expect(200);
    expect((JSON.parse(again.text) as Encounter).id).toBe(encounter.id);

    const waiting = await doctor.agent.get(`/fhir/Encounter?participant=${doctor.profile}&status=arrived`).expect(200);
    expect((JSON.parse(waiting.text) as Bundle).entry?.map((e) => e.resource?.id)).toEqual([encounter.id]);

    const admitted = JSON.parse((await post(doctor, `Encounter/${encounter.id}/$admit`).expect(200)).text) as Encounter;
    expect(admitted.status).toBe('in-progress');
    expect(admitted.period?.start).toBeDefined();
    // The doctor rejoining: admitting again changes nothing.
    const readmitted = await post(doctor, `Encounter/${encounter.id}/$admit`).expect(200);
    expect(readmitted.headers.etag).toBe(`W/"${admitted.meta?.versionId}"`);

    const ended = JSON.parse((await post(doctor, `Encounter/${encounter.id}/$end`).expect(200)).text) as Encounter;
    expect(ended.status).toBe('finished');
    expect(Date.parse(ended.period?.end as string)).toBeGreaterThanOrEqual(Date.parse(ended.period?.start as string));
    expect(ended.statusHistory?.map((h) => h.status)).toEqual(['arrived', 'in-progress']);
    expect((await read<Appointment>(`Appointment/${appointment.id}`)).status).toBe('fulfilled');

    // After the end nothing moves back.
    expectOutcome(await post(patient, `Appointment/${appointment.id}/$check-in`), 409, 'conflict');
    expectOutcome(await post(doctor, `Encounter/${encounter.id}/$admit`), 409, 'conflict');
    expectOutcome(await post(doctor, `Encounter/${encounter.id}/$end`), 409, 'conflict');
  });

  test('each transition is an audited write by the person who made it', async () => {
    const appointment = await bookedAppointment(5);
    const encounter = await checkIn(appointment);
    await post(doctor, `Encounter/${encounter.id}/$admit`).expect(200);
    await post(doctor, `Encounter/${encounter.id}/$end`).expect(200);
    await server.flushAudit();
    const admin = await server.actAsAdmin();
    const res = await admin.agent.get(`/fhir/AuditEvent?entity=Appointment/${appointment.id}&_count=100`).expect(200);
    const events = ((JSON.parse(res.text) as Bundle).entry ?? []).map((e) => e.resource as AuditEvent);
    const writers = events.filter((e) => e.action === 'E').map((e) => e.agent?.find((a) => a.requestor)?.who?.reference);
    expect(writers).toEqual(expect.arrayContaining([patient.profile, doctor.profile]));
    for (const event of events) {
      expect(event.entity?.some((x) => x.what?.reference === patient.profile)).toBe(true);
    }
  });

  test('check-in opens VIDEO_CHECKIN_MINUTES before the start and closes at the end', async () => {
    const early = await bookedAppointment(16);
    const outcome = expectOutcome(await post(patient, `Appointment/${early.id}/$check-in`), 422, 'business-rule');
    expect(outcome.issue?.[0]?.diagnostics).toContain('Check-in opens at');
    const over = await bookedAppointment(-31);
    expectOutcome(await post(patient, `Appointment/${over.id}/$check-in`), 422, 'business-rule');
    expect((await read<Appointment>(`Appointment/${early.id}`)).status).toBe('booked');
    const late = await bookedAppointment(-20);
    await post(patient, `Appointment/${late.id}/$check-in`).expect(201);
  });

  test('only the appointment’s patient checks in; only its practitioner admits and ends', async () => {
    const appointment = await bookedAppointment(0);
    expectOutcome(await post(otherPatient, `Appointment/${appointment.id}/$check-in`), 404, 'not-found');
    expectOutcome(await post(doctor, `Appointment/${appointment.id}/$check-in`), 403, 'forbidden');
    expectOutcome(await post(otherDoctor, `Appointment/${appointment.id}/$check-in`), 404, 'not-found');
    const encounter = await checkIn(appointment);
    expectOutcome(await post(patient, `Encounter/${encounter.id}/$admit`), 403, 'forbidden');
    expectOutcome(await post(otherDoctor, `Encounter/${encounter.id}/$admit`), 404, 'not-found');
    expectOutcome(await post(otherPatient, `Encounter/${encounter.id}/$end`), 404, 'not-found');
    await post(doctor, `Encounter/${encounter.id}/$admit`).expect(200);
    expectOutcome(await post(patient, `Encounter/${encounter.id}/$end`), 403, 'forbidden');
    expectOutcome(await server.request.post(`/fhir/Encounter/${encounter.id}/$end`), 403, 'forbidden');
    expect((await read<Encounter>(`Encounter/${encounter.id}`)).status).toBe('in-progress');
    expectOutcome(await server.anonymous().post(`/fhir/Appointment/${appointment.id}/$check-in`), 401, 'login');
    expectOutcome(await patient.agent.get(`/fhir/Appointment/${appointment.id}/$check-in`), 405, 'not-supported');
  });

  test('a doctor who also cares for the patient still cannot run another doctor’s consultation', async () => {
    const appointment = await bookedAppointment(0);
    await bookedAppointment(120, { patient, doctor: otherDoctor });
    const encounter = await checkIn(appointment);
    // otherDoctor can see the patient's records through their own appointment, but is no
    // participant here (and does not see another doctor's Appointment at all).
    await otherDoctor.agent.get(`/fhir/Encounter/${encounter.id}`).expect(200);
    expectOutcome(await post(otherDoctor, `Encounter/${encounter.id}/$admit`), 404, 'not-found');
    expectOutcome(await post(otherDoctor, `Encounter/${encounter.id}/$end`), 404, 'not-found');
    expect((await read<Encounter>(`Encounter/${encounter.id}`)).status).toBe('arrived');
  });

  test('a cancelled appointment cannot be checked in to', async () => {
    const appointment = await bookedAppointment(0);
    await patient.agent
      .patch(`/fhir/Appointment/${appointment.id}`)
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'replace', path: '/status', value: 'cancelled' }])
      .expect(200);
    expectOutcome(await post(patient, `Appointment/${appointment.id}/$check-in`), 409, 'conflict');
  });
});

describe('status machine on ordinary writes', () => {
  const putStatus = (actor: Actor | undefined, resource: Appointment | Encounter, status: string) =>
    (actor ? actor.agent : server.request)
      .put(`/fhir/${resource.resourceType}/${resource.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...resource, meta: undefined, status }));

  test('illegal Appointment transitions are refused with a business-rule outcome and nothing written', async () => {
    const appointment = await bookedAppointment(60);
    const outcome = expectOutcome(await putStatus(undefined, appointment, 'fulfilled'), 422, 'business-rule');
    expect(outcome.issue?.[0]).toMatchObject({ expression: ['Appointment.status'] });
    expect(outcome.issue?.[0]?.diagnostics).toContain('from "booked" to "fulfilled"');
    expectOutcome(await putStatus(undefined, appointment, 'proposed'), 422, 'business-rule');
    expect((await read<Appointment>(`Appointment/${appointment.id}`)).meta?.versionId).toBe('1');

    await putStatus(undefined, appointment, 'noshow').expect(200);
    expectOutcome(await putStatus(undefined, appointment, 'booked'), 422, 'business-rule');
    // A correction is always possible.
    await putStatus(undefined, appointment, 'entered-in-error').expect(200);
  });

  test('PATCH, conditional update and transaction entries follow the same rules', async () => {
    const appointment = await bookedAppointment(60);
    const patch = await server.request
      .patch(`/fhir/Appointment/${appointment.id}`)
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'replace', path: '/status', value: 'fulfilled' }]);
    expectOutcome(patch, 422, 'business-rule');
    const conditional = await server.request
      .put(`/fhir/Appointment?_id=${appointment.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...appointment, status: 'fulfilled' }));
    expectOutcome(conditional, 422, 'business-rule');
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { ...appointment, status: 'pending' }, request: { method: 'PUT', url: `Appointment/${appointment.id}` } }],
    };
    const tx = await server.request.post('/fhir').set('Content-Type', FHIR_JSON).send(JSON.stringify(bundle));
    expect(tx.status).toBe(422);
    expect((await read<Appointment>(`Appointment/${appointment.id}`)).status).toBe('booked');
  });

  test('Encounter transitions: finished is final', async () => {
    const appointment = await bookedAppointment(0);
    const encounter = await checkIn(appointment);
    expectOutcome(await putStatus(doctor, encounter, 'finished'), 422, 'business-rule');
    await post(doctor, `Encounter/${encounter.id}/$admit`).expect(200);
    await post(doctor, `Encounter/${encounter.id}/$end`).expect(200);
    const finished = await read<Encounter>(`Encounter/${encounter.id}`);
    expectOutcome(await putStatus(doctor, finished, 'in-progress'), 422, 'business-rule');
  });

  test('a patient changes a status with a write only to cancel; other fields stay editable', async () => {
    const appointment = await bookedAppointment(0);
    expectOutcome(await putStatus(patient, appointment, 'arrived'), 403, 'forbidden');
    expectOutcome(await putStatus(otherPatient, appointment, 'cancelled'), 403, 'forbidden');
    const encounter = await checkIn(appointment);
    expectOutcome(await putStatus(patient, encounter, 'in-progress'), 403, 'forbidden');
    const arrived = await read<Appointment>(`Appointment/${appointment.id}`);
    await patient.agent
      .put(`/fhir/Appointment/${appointment.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...arrived, meta: undefined, comment: 'I may be a minute late' }))
      .expect(200);
    await putStatus(patient, arrived, 'cancelled').expect(200);
  });

  test('a patient never creates an Encounter with a write (reviews and care relationships rest on them)', async () => {
    const stranger = await server.actAsDoctor();
    const encounter = {
      resourceType: 'Encounter',
      status: 'finished',
      class: { code: 'VR' },
      subject: { reference: patient.profile },
      participant: [{ individual: { reference: stranger.profile } }],
    };
    const body = JSON.stringify(encounter);
    expectOutcome(await patient.agent.post('/fhir/Encounter').set('Content-Type', FHIR_JSON).send(body), 403, 'forbidden');
    const asPut = JSON.stringify({ ...encounter, id: 'self-made' });
    expectOutcome(await patient.agent.put('/fhir/Encounter/self-made').set('Content-Type', FHIR_JSON).send(asPut), 403, 'forbidden');
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: encounter, request: { method: 'POST', url: 'Encounter' } }],
    };
    expect((await patient.agent.post('/fhir').set('Content-Type', FHIR_JSON).send(JSON.stringify(bundle))).status).toBe(403);
    // The doctor got no care relationship out of it.
    expectOutcome(await stranger.agent.get(`/fhir/${patient.profile}`), 404, 'not-found');
  });
});

describe('no-show job', () => {
  test('marks booked appointments past the grace period once, leaves the others', async () => {
    const missed = await bookedAppointment(-20);
    const withinGrace = await bookedAppointment(-10);
    const attended = await bookedAppointment(-20);
    await checkIn(attended);
    const cancelled = await bookedAppointment(-20, { patient, doctor }, 'cancelled');

    const runs = await Promise.all([server.markNoShows(), server.markNoShows(), server.markNoShows()]);
    const marked = runs.flat();
    expect(marked.filter((id) => id === missed.id)).toHaveLength(1);
    expect(marked).not.toContain(withinGrace.id);
    expect(marked).not.toContain(attended.id);
    expect(marked).not.toContain(cancelled.id);

    const stored = await read<Appointment>(`Appointment/${missed.id}`);
    expect(stored).toMatchObject({ status: 'noshow', meta: { versionId: '2' } });
    expect((await read<Appointment>(`Appointment/${withinGrace.id}`)).status).toBe('booked');
    expect(await server.markNoShows()).not.toContain(missed.id);
    expectOutcome(await post(patient, `Appointment/${missed.id}/$check-in`), 409, 'conflict');

    // Later, the one within its grace period becomes a no-show too.
    expect(await server.markNoShows(new Date(Date.now() + 10 * MINUTE))).toContain(withinGrace.id);

    const history = await read<Bundle>(`Appointment/${missed.id}/_history`);
    expect(history.entry).toHaveLength(2);
    await server.flushAudit();
    const audit = await read<Bundle>(`AuditEvent?entity=Appointment/${missed.id}`);
    expect((audit.entry ?? []).map((e) => (e.resource as AuditEvent).agent?.[0]?.who)).toContainEqual({
      display: 'client:medbuddy-server',
    });
  });
});
