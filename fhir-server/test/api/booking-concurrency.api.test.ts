import type { Appointment, Bundle, OperationOutcome, Slot } from '@medplum/fhirtypes';
import type supertest from 'supertest';
import { doctorWithSchedule, FHIR_JSON, slotsOf } from '../setup/scheduling-fixtures';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Race-safe booking on real PostgreSQL: many clients at once, through two server instances on
 * one database. The booking ledger's unique slot index is the last line of defence.
 */
let first: TestServer;
let second: TestServer;

beforeAll(async () => {
  first = await startTestServer({ SLOT_HORIZON_DAYS: '6', DATABASE_POOL_SIZE: '30' });
  second = await startTestServer({ DATABASE_URL: first.databaseUrl as string, SLOT_HORIZON_DAYS: '6', DATABASE_POOL_SIZE: '30' });
}, 120_000);
afterAll(async () => {
  await second?.close();
  await first?.close();
});

/** n new patients in one batch, each with their own patient token. */
async function patients(n: number): Promise<{ profile: string; agent: (server: TestServer) => supertest.Agent }[]> {
  const batch: Bundle = {
    resourceType: 'Bundle',
    type: 'batch',
    entry: Array.from({ length: n }, (_, i) => ({
      resource: { resourceType: 'Patient', name: [{ family: `Racer${i}` }] },
      request: { method: 'POST', url: 'Patient' },
    })),
  };
  const res = await first.request.post('/fhir').set('Content-Type', FHIR_JSON).send(JSON.stringify(batch)).expect(200);
  const ids = (JSON.parse(res.text) as Bundle).entry?.map((e) => /Patient\/([^/]+)/.exec(e.response?.location ?? '')?.[1]) ?? [];
  expect(ids.every(Boolean)).toBe(true);
  return Promise.all(
    ids.map(async (id) => {
      const token = await first.mintToken({
        role: 'patient',
        scope: 'user/*.cruds',
        fhirUser: `Patient/${id}`,
        client_id: 'patient-portal',
      });
      return { profile: `Patient/${id}`, agent: (server: TestServer) => server.withToken(token) };
    }),
  );
}

test('50 patients book the same slot at once through two servers: exactly one 201, 49 409s, one Appointment, Slot busy', async () => {
  const { schedule } = await doctorWithSchedule(first);
  const [slot] = await slotsOf(first, schedule.id);
  const racers = await patients(50);
  const results = await Promise.all(
    racers.map((p, i) =>
      p
        .agent(i % 2 === 0 ? first : second)
        .post('/fhir/Appointment/$book')
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'slot', valueString: `Slot/${slot.id}` }] })),
    ),
  );
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(49);
  for (const loser of results.filter((r) => r.status === 409)) {
    expect((JSON.parse(loser.text) as OperationOutcome).issue?.[0].code).toBe('conflict');
  }
  const booked = JSON.parse(await first.request.get(`/fhir/Appointment?slot=Slot/${slot.id}`).then((r) => r.text)) as Bundle<Appointment>;
  expect(booked.entry).toHaveLength(1);
  expect(booked.entry?.[0].resource?.status).toBe('booked');
  const stored = JSON.parse((await first.request.get(`/fhir/Slot/${slot.id}`).expect(200)).text) as Slot;
  expect(stored.status).toBe('busy');
});

test('a plain POST Appointment with a slot races the same way', async () => {
  const { doctor, schedule } = await doctorWithSchedule(first);
  const [slot] = await slotsOf(first, schedule.id);
  const racers = await patients(10);
  const results = await Promise.all(
    racers.map((p, i) =>
      p
        .agent(i % 2 === 0 ? first : second)
        .post('/fhir/Appointment')
        .set('Content-Type', FHIR_JSON)
        .send(
          JSON.stringify({
            resourceType: 'Appointment',
            // R4 app-3: without start and end an Appointment is proposed; the booking sets them.
            status: 'proposed',
            slot: [{ reference: `Slot/${slot.id}` }],
            participant: [
              { actor: { reference: p.profile }, status: 'accepted' },
              { actor: { reference: doctor.profile }, status: 'accepted' },
            ],
          }),
        ),
    ),
  );
  expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
});

test('200 patients book 200 different slots of one doctor at once: all 201', async () => {
  const { schedule } = await doctorWithSchedule(first, {
    slotMinutes: 30,
    availableTime: [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], allDay: true }],
  });
  const slots = (await slotsOf(first, schedule.id)).slice(0, 200);
  expect(slots).toHaveLength(200);
  const racers = await patients(200);
  const results = await Promise.all(
    racers.map((p, i) =>
      p
        .agent(i % 2 === 0 ? first : second)
        .post('/fhir/Appointment/$book')
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'slot', valueString: `Slot/${slots[i].id}` }] })),
    ),
  );
  const failures = results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text}`);
  expect(failures).toEqual([]);
  expect(await slotsOf(first, schedule.id, 'free')).toHaveLength((await slotsOf(first, schedule.id)).length - 200);
}, 300_000);
