import type { Appointment, Bundle, OperationOutcome, Parameters, ServiceRequest, Slot } from '@medplum/fhirtypes';
import { doctorWithSchedule, FHIR_JSON, slotsOf, type DoctorWithSchedule } from '../setup/scheduling-fixtures';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/** Booking, hold, find, cancel, reschedule and follow-ups end to end over HTTP with real tokens. */
let server: TestServer;
let clinic: DoctorWithSchedule;

beforeAll(async () => {
  server = await startTestServer({ SLOT_HORIZON_DAYS: '3', CANCEL_WINDOW_MINUTES: '60', SLOT_HOLD_MINUTES: '5' });
  clinic = await doctorWithSchedule(server, {
    zone: 'Europe/Berlin',
    slotMinutes: 30,
    availableTime: [
      { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], availableStartTime: '06:00:00', availableEndTime: '22:00:00' },
    ],
  });
});
afterAll(() => server.close());

const params = (...parameter: Parameters['parameter'] & object) => JSON.stringify({ resourceType: 'Parameters', parameter });
const op = (agent: Actor['agent'], path: string, body: string) => agent.post(`/fhir/${path}`).set('Content-Type', FHIR_JSON).send(body);
const outcomeText = (text: string) => (JSON.parse(text) as OperationOutcome).issue?.map((i) => i.diagnostics).join(' ');

/** A free slot of the clinic at least `hoursAhead` from now, not handed out before. */
const used = new Set<string>();
async function freeSlot(hoursAhead = 3): Promise<Slot & { id: string }> {
  const slot = (await slotsOf(server, clinic.schedule.id, 'free')).find(
    (s) => !used.has(s.id) && Date.parse(s.start) > Date.now() + hoursAhead * 3_600_000,
  );
  if (!slot) {
    throw new Error('no free slot left');
  }
  used.add(slot.id);
  return slot;
}

async function book(patient: Actor, slot: Slot & { id: string }, expected = 201): Promise<Appointment & { id: string }> {
  const res = await op(patient.agent, 'Appointment/$book', params({ name: 'slot', valueString: `Slot/${slot.id}` }));
  expect([res.status, res.status === expected ? '' : res.text]).toEqual([expected, '']);
  return JSON.parse(res.text) as Appointment & { id: string };
}

describe('booking', () => {
  test('$book makes a booked Appointment with patient and practitioner, the slot busy', async () => {
    const patient = await server.actAsPatient();
    const slot = await freeSlot();
    const appointment = await book(patient, slot);
    expect(appointment).toMatchObject({ status: 'booked', start: slot.start, end: slot.end, slot: [{ reference: `Slot/${slot.id}` }] });
    expect(appointment.participant?.map((p) => p.actor?.reference)).toEqual(
      expect.arrayContaining([patient.profile, clinic.doctor.profile]),
    );
    expect((JSON.parse((await server.request.get(`/fhir/Slot/${slot.id}`)).text) as Slot).status).toBe('busy');
    // The doctor sees it; the patient's own list has it.
    await clinic.doctor.agent.get(`/fhir/Appointment/${appointment.id}`).expect(200);
    const mine = JSON.parse((await patient.agent.get('/fhir/Appointment').expect(200)).text) as Bundle;
    expect(mine.entry?.map((e) => e.resource?.id)).toEqual([appointment.id]);
  });

  test('bad bookings: busy, past, nonexistent, unverified doctor, another patient, overlapping', async () => {
    const patient = await server.actAsPatient();
    const other = await server.actAsPatient();
    const taken = await freeSlot();
    await book(patient, taken);
    await book(other, taken, 409);
    expect(
      outcomeText((await op(other.agent, 'Appointment/$book', params({ name: 'slot', valueString: 'Slot/does-not-exist' }))).text),
    ).toMatch(/not found/);
    const past = JSON.parse(
      (
        await server.request
          .post('/fhir/Slot')
          .set('Content-Type', FHIR_JSON)
          .send(
            JSON.stringify({
              resourceType: 'Slot',
              status: 'free',
              schedule: { reference: `Schedule/${clinic.schedule.id}` },
              start: '2020-01-01T09:00:00Z',
              end: '2020-01-01T09:30:00Z',
            }),
          )
      ).text,
    ) as Slot & { id: string };
    const pastRes = await op(other.agent, 'Appointment/$book', params({ name: 'slot', valueString: `Slot/${past.id}` }));
    expect([pastRes.status, outcomeText(pastRes.text)]).toEqual([422, expect.stringMatching(/past/)]);
    const unverified = await doctorWithSchedule(server, {}, false);
    const [hidden] = await slotsOf(server, unverified.schedule.id);
    const hiddenRes = await op(other.agent, 'Appointment/$book', params({ name: 'slot', valueString: `Slot/${hidden.id}` }));
    expect([hiddenRes.status, outcomeText(hiddenRes.text)]).toEqual([422, expect.stringMatching(/not verified/)]);
    const forOther = await op(
      other.agent,
      'Appointment/$book',
      params({ name: 'slot', valueString: `Slot/${(await freeSlot()).id}` }, { name: 'patient', valueString: patient.profile as string }),
    );
    expect(forOther.status).toBe(403);
    // Same time, another doctor: the patient cannot hold overlapping appointments.
    const second = await doctorWithSchedule(server, {
      zone: 'Europe/Berlin',
      slotMinutes: 30,
      availableTime: [
        { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], availableStartTime: '06:00:00', availableEndTime: '22:00:00' },
      ],
    });
    const same = (await slotsOf(server, second.schedule.id)).find((s) => s.start === taken.start) as Slot & { id: string };
    const overlap = await op(patient.agent, 'Appointment/$book', params({ name: 'slot', valueString: `Slot/${same.id}` }));
    expect([overlap.status, outcomeText(overlap.text)]).toEqual([409, expect.stringMatching(/already has an appointment/)]);
    expect((JSON.parse((await server.request.get(`/fhir/Slot/${same.id}`)).text) as Slot).status).toBe('free');
    expect((await op(patient.agent, 'Appointment/$book', params())).status).toBe(400);
    const ghost = await op(
      server.request,
      'Appointment/$book',
      params({ name: 'slot', valueString: `Slot/${(await freeSlot()).id}` }, { name: 'patient', valueString: 'Patient/nobody' }),
    );
    expect(ghost.status).toBe(404);
  });

  test('a doctor sees only their own schedule’s appointments, another patient none of them', async () => {
    const patient = await server.actAsPatient();
    const appointment = await book(patient, await freeSlot());
    const otherDoctor = await doctorWithSchedule(server);
    // The patient is the other doctor's patient too (a care relationship), at another time.
    const otherSlot = (await slotsOf(server, otherDoctor.schedule.id)).find(
      (s) => Date.parse(s.start) >= Date.parse(appointment.end as string) || Date.parse(s.end) <= Date.parse(appointment.start as string),
    ) as Slot & { id: string };
    await book(patient, otherSlot);
    await otherDoctor.doctor.agent.get(`/fhir/${patient.profile}`).expect(200);
    const other = await server.actAsPatient();
    await otherDoctor.doctor.agent.get(`/fhir/Appointment/${appointment.id}`).expect(404);
    const seen = JSON.parse(
      (await otherDoctor.doctor.agent.get(`/fhir/Appointment?patient=${patient.profile}`).expect(200)).text,
    ) as Bundle;
    expect(seen.entry?.map((e) => e.resource?.id)).toHaveLength(1);
    expect(seen.entry?.map((e) => e.resource?.id)).not.toContain(appointment.id);
    await other.agent.get(`/fhir/Appointment/${appointment.id}`).expect(404);
    const search = JSON.parse((await other.agent.get('/fhir/Appointment').expect(200)).text) as Bundle;
    expect(search.entry ?? []).toEqual([]);
  });
});

describe('$find and $hold', () => {
  test('$find lists free slots as proposed appointments in the patient’s zone; unknown zone is 400', async () => {
    const patient = await server.actAsPatient();
    const res = await patient.agent
      .get(`/fhir/Appointment/$find?practitioner=${clinic.doctor.profile}&timezone=America/New_York&_count=3`)
      .expect(200);
    const bundle = JSON.parse(res.text) as Bundle<Appointment>;
    expect(bundle.entry).toHaveLength(3);
    for (const entry of bundle.entry ?? []) {
      expect(entry.resource?.status).toBe('proposed');
      expect(entry.resource?.start).toMatch(/-0[45]:00$/);
    }
    expect((await patient.agent.get('/fhir/Appointment/$find?timezone=Mars/Base')).status).toBe(400);
    expect((await patient.agent.get('/fhir/Appointment/$find?start=2027-01-02T00:00:00Z&end=2027-01-01T00:00:00Z')).status).toBe(400);
  });

  test('$hold keeps a slot for its patient: others get 409, the holder confirms with $book', async () => {
    const patient = await server.actAsPatient();
    const other = await server.actAsPatient();
    const slot = await freeSlot();
    const held = await op(patient.agent, 'Appointment/$hold', params({ name: 'slot', valueString: `Slot/${slot.id}` }));
    expect(held.status).toBe(201);
    const hold = JSON.parse(held.text) as Appointment & { id: string };
    expect(hold.status).toBe('pending');
    expect((JSON.parse((await server.request.get(`/fhir/Slot/${slot.id}`)).text) as Slot).status).toBe('busy-tentative');
    await book(other, slot, 409);
    const confirmed = await book(patient, slot);
    expect([confirmed.id, confirmed.status]).toEqual([hold.id, 'booked']);
  });

  test('a lapsed hold is released by the job, and the slot can be booked', async () => {
    const patient = await server.actAsPatient();
    const other = await server.actAsPatient();
    const slot = await freeSlot();
    await op(patient.agent, 'Appointment/$hold', params({ name: 'slot', valueString: `Slot/${slot.id}` })).expect(201);
    expect(await server.runSlotHorizonTick('holds', Date.now() + 10 * 60_000)).toBe(true);
    expect((JSON.parse((await server.request.get(`/fhir/Slot/${slot.id}`)).text) as Slot).status).toBe('free');
    await book(other, slot);
  });
});

describe('cancel and reschedule', () => {
  test('$cancel sets cancelled with the reason and frees the slot; cancelling twice changes nothing', async () => {
    const patient = await server.actAsPatient();
    const slot = await freeSlot();
    const appointment = await book(patient, slot);
    const res = await op(patient.agent, `Appointment/${appointment.id}/$cancel`, params({ name: 'reason', valueString: 'Feeling better' }));
    expect(res.status).toBe(200);
    const cancelled = JSON.parse(res.text) as Appointment;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelationReason?.text).toBe('Feeling better');
    expect((JSON.parse((await server.request.get(`/fhir/Slot/${slot.id}`)).text) as Slot).status).toBe('free');
    await op(patient.agent, `Appointment/${appointment.id}/$cancel`, params({ name: 'reason', valueString: 'again' })).expect(200);
    // The freed slot can be booked by someone else.
    await book(await server.actAsPatient(), slot);
  });

  test('patients cannot cancel inside the window; the doctor can; others cannot see it at all', async () => {
    const patient = await server.actAsPatient();
    const soon = (await slotsOf(server, clinic.schedule.id, 'free')).find(
      (s) => !used.has(s.id) && Date.parse(s.start) > Date.now() + 60_000 && Date.parse(s.start) < Date.now() + 59 * 60_000,
    );
    const slot = soon ?? (await freeSlot());
    used.add(slot.id);
    const appointment = await book(patient, slot);
    if (soon) {
      const late = await op(patient.agent, `Appointment/${appointment.id}/$cancel`, params({ name: 'reason', valueString: 'late' }));
      expect([late.status, outcomeText(late.text)]).toEqual([422, expect.stringMatching(/60 minutes/)]);
    }
    const stranger = await server.actAsPatient();
    await op(stranger.agent, `Appointment/${appointment.id}/$cancel`, params({ name: 'reason', valueString: 'x' })).expect(404);
    expect((await op(patient.agent, `Appointment/${appointment.id}/$cancel`, params())).status).toBe(400);
    const byDoctor = await op(
      clinic.doctor.agent,
      `Appointment/${appointment.id}/$cancel`,
      params({ name: 'reason', valueString: 'Doctor ill' }),
    );
    expect(byDoctor.status).toBe(200);
    expect((JSON.parse(byDoctor.text) as Appointment).cancelationReason?.coding?.[0].code).toBe('practitioner');
  });

  test('$reschedule moves the same appointment to a new slot atomically; the old slot is free; history keeps both', async () => {
    const patient = await server.actAsPatient();
    const first = await freeSlot();
    const second = await freeSlot();
    const appointment = await book(patient, first);
    const res = await op(
      patient.agent,
      `Appointment/${appointment.id}/$reschedule`,
      params({ name: 'slot', valueString: `Slot/${second.id}` }),
    );
    expect(res.status).toBe(200);
    const moved = JSON.parse(res.text) as Appointment;
    expect([moved.id, moved.start, moved.slot?.[0].reference]).toEqual([appointment.id, second.start, `Slot/${second.id}`]);
    expect((JSON.parse((await server.request.get(`/fhir/Slot/${first.id}`)).text) as Slot).status).toBe('free');
    expect((JSON.parse((await server.request.get(`/fhir/Slot/${second.id}`)).text) as Slot).status).toBe('busy');
    const history = JSON.parse(
      (await patient.agent.get(`/fhir/Appointment/${appointment.id}/_history`).expect(200)).text,
    ) as Bundle<Appointment>;
    expect(history.entry?.map((e) => e.resource?.start)).toEqual([second.start, first.start]);
    // Onto a busy slot: 409, nothing changes.
    const busy = await freeSlot();
    await book(await server.actAsPatient(), busy);
    const clash = await op(
      patient.agent,
      `Appointment/${appointment.id}/$reschedule`,
      params({ name: 'slot', valueString: `Slot/${busy.id}` }),
    );
    expect(clash.status).toBe(409);
    expect((JSON.parse((await patient.agent.get(`/fhir/Appointment/${appointment.id}`)).text) as Appointment).start).toBe(second.start);
  });
});

describe('follow-ups', () => {
  test('doctor records a follow-up; the patient books basedOn it; it completes when the appointment is fulfilled', async () => {
    const patient = await server.actAsPatient();
    // The care relationship comes from a first consultation.
    const first = await book(patient, await freeSlot());
    const followUp = JSON.parse(
      (
        await clinic.doctor.agent
          .post('/fhir/ServiceRequest')
          .set('Content-Type', FHIR_JSON)
          .send(
            JSON.stringify({
              resourceType: 'ServiceRequest',
              status: 'active',
              intent: 'proposal',
              code: { coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/consultation-type', code: 'follow-up' }] },
              subject: { reference: patient.profile },
              requester: { reference: clinic.doctor.profile },
              occurrencePeriod: { start: new Date().toISOString().slice(0, 10) },
              reasonCode: [{ text: 'Check blood pressure' }],
            }),
          )
          .expect(201)
      ).text,
    ) as ServiceRequest & { id: string };
    await patient.agent.get(`/fhir/ServiceRequest/${followUp.id}`).expect(200);
    const slot = await freeSlot();
    const res = await op(
      patient.agent,
      'Appointment/$book',
      params({ name: 'slot', valueString: `Slot/${slot.id}` }, { name: 'basedOn', valueString: `ServiceRequest/${followUp.id}` }),
    );
    expect(res.status).toBe(201);
    const appointment = JSON.parse(res.text) as Appointment & { id: string };
    expect(appointment.basedOn).toEqual([{ reference: `ServiceRequest/${followUp.id}` }]);
    // Basing a booking on someone else's request is refused.
    const stranger = await server.actAsPatient();
    const foreign = await op(
      stranger.agent,
      'Appointment/$book',
      params(
        { name: 'slot', valueString: `Slot/${(await freeSlot()).id}` },
        { name: 'basedOn', valueString: `ServiceRequest/${followUp.id}` },
      ),
    );
    expect(foreign.status).toBe(400);
    // The consultation workflow marks the appointment fulfilled (here: plain updates by the doctor,
    // through arrived, as the Appointment state machine requires).
    for (const status of ['arrived', 'fulfilled']) {
      await clinic.doctor.agent
        .put(`/fhir/Appointment/${appointment.id}`)
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ ...appointment, meta: undefined, status }))
        .expect(200);
    }
    const done = JSON.parse((await patient.agent.get(`/fhir/ServiceRequest/${followUp.id}`).expect(200)).text) as ServiceRequest;
    expect(done.status).toBe('completed');
    expect(first.status).toBe('booked');
  });
});
