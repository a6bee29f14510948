import type { OperationOutcome, PractitionerRole, Slot } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import { doctorWithSchedule, FHIR_JSON, roleWithRules, slotsOf, SLOT_LENGTH_URL } from '../setup/scheduling-fixtures';
import { startTestServer, type TestServer } from '../setup/test-server';

/** Availability rules (PractitionerRole.availableTime/notAvailable) -> materialised Slots. */
let server: TestServer;
const HORIZON_DAYS = 3;

beforeAll(async () => {
  server = await startTestServer({ SLOT_HORIZON_DAYS: String(HORIZON_DAYS) });
});
afterAll(() => server.close());

describe('rules -> slots', () => {
  test('creating a schedule for a role materialises its slots for the horizon, as instants in the rule zone', async () => {
    const { schedule } = await doctorWithSchedule(server, {
      zone: 'America/New_York',
      availableTime: [
        { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], availableStartTime: '09:00:00', availableEndTime: '10:00:00' },
      ],
    });
    const slots = await slotsOf(server, schedule.id);
    expect(slots.length).toBeGreaterThanOrEqual(HORIZON_DAYS * 2 - 2);
    expect(slots.length).toBeLessThanOrEqual((HORIZON_DAYS + 1) * 2);
    for (const slot of slots) {
      const local = DateTime.fromISO(slot.start, { zone: 'America/New_York' });
      expect(['09:00', '09:30']).toContain(local.toFormat('HH:mm'));
      expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(30 * 60_000);
      expect(slot.status).toBe('free');
    }
  });

  test('a rule change regenerates free slots, never touching a busy one', async () => {
    const { doctor, role, schedule } = await doctorWithSchedule(server);
    const before = await slotsOf(server, schedule.id);
    const busy = before[before.length - 1];
    await server.request
      .put(`/fhir/Slot/${busy.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...busy, status: 'busy' }))
      .expect(200);
    const changed: PractitionerRole = {
      ...role,
      availableTime: [
        { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], availableStartTime: '14:00:00', availableEndTime: '15:00:00' },
      ],
    };
    await doctor.agent.put(`/fhir/PractitionerRole/${role.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(changed)).expect(200);
    const after = await slotsOf(server, schedule.id);
    const hours = new Set(after.filter((s) => s.id !== busy.id).map((s) => s.start.slice(11, 16)));
    expect([...hours].sort()).toEqual(['14:00', '14:30']);
    const keptBusy = after.find((s) => s.id === busy.id) as Slot;
    expect(keptBusy).toMatchObject({ status: 'busy', start: busy.start, end: busy.end });
  });

  test('$generate-slots is idempotent; the job runs each tick once across two servers on one database', async () => {
    const { doctor, schedule } = await doctorWithSchedule(server);
    const count = (await slotsOf(server, schedule.id)).length;
    const res = await doctor.agent.post(`/fhir/Schedule/${schedule.id}/$generate-slots`).expect(200);
    expect(JSON.parse(res.text).parameter).toEqual([
      { name: 'created', valueInteger: 0 },
      { name: 'removed', valueInteger: 0 },
    ]);
    const second = await startTestServer({ DATABASE_URL: server.databaseUrl as string, SLOT_HORIZON_DAYS: String(HORIZON_DAYS + 2) });
    try {
      const later = Date.now();
      const ran = await Promise.all([server.runSlotHorizonTick('tick-1', later), second.runSlotHorizonTick('tick-1', later)]);
      expect(ran.filter(Boolean)).toHaveLength(1);
      expect(await server.runSlotHorizonTick('tick-1', later)).toBe(false);
      const extended = (await slotsOf(server, schedule.id)).length;
      // Whichever server ran it, nothing is duplicated: every start is unique.
      const starts = (await slotsOf(server, schedule.id)).map((s) => s.start);
      expect(new Set(starts).size).toBe(starts.length);
      expect(extended).toBeGreaterThanOrEqual(count);
    } finally {
      await second.close();
    }
  });

  test('another doctor or a patient cannot generate slots on a schedule that is not theirs', async () => {
    const { schedule } = await doctorWithSchedule(server);
    const other = await server.actAsDoctor();
    const patient = await server.actAsPatient();
    expect((await other.agent.post(`/fhir/Schedule/${schedule.id}/$generate-slots`)).status).toBe(403);
    expect((await patient.agent.post(`/fhir/Schedule/${schedule.id}/$generate-slots`)).status).toBe(403);
  });
});

describe('bad rules are a 400 OperationOutcome and change nothing', () => {
  const cases: [string, (role: PractitionerRole) => PractitionerRole, RegExp][] = [
    [
      'unknown time zone',
      (r) => ({ ...r, extension: [{ url: 'https://medbuddy.dev/fhir/StructureDefinition/timezone', valueCode: 'Mars/Olympus' }] }),
      /time zone/,
    ],
    [
      'zero slot length',
      (r) => ({
        ...r,
        extension: [{ url: SLOT_LENGTH_URL, valueDuration: { value: 0, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' } }],
      }),
      /slot length|mb-slot-length-1|positive/i,
    ],
    [
      'end before start',
      (r) => ({ ...r, availableTime: [{ daysOfWeek: ['mon'], availableStartTime: '12:00:00', availableEndTime: '09:00:00' }] }),
      /before it starts/,
    ],
    [
      'overlapping rules',
      (r) => ({
        ...r,
        availableTime: [
          { daysOfWeek: ['mon'], availableStartTime: '09:00:00', availableEndTime: '12:00:00' },
          { daysOfWeek: ['mon', 'tue'], availableStartTime: '11:00:00', availableEndTime: '13:00:00' },
        ],
      }),
      /overlap/,
    ],
  ];

  test.each(cases)('%s', async (_name, breakIt, message) => {
    const { doctor, role, schedule } = await doctorWithSchedule(server);
    const slotsBefore = (await slotsOf(server, schedule.id)).map((s) => s.id);
    const res = await doctor.agent
      .put(`/fhir/PractitionerRole/${role.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(breakIt(role)));
    expect(res.status).toBe(400);
    const outcome = JSON.parse(res.text) as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue?.map((i) => i.diagnostics).join(' ')).toMatch(message);
    const stored = JSON.parse((await server.request.get(`/fhir/PractitionerRole/${role.id}`).expect(200)).text) as PractitionerRole;
    expect(stored.meta?.versionId).toBe('1');
    expect((await slotsOf(server, schedule.id)).map((s) => s.id)).toEqual(slotsBefore);
  });

  test('a new role with bad rules is not created', async () => {
    const doctor = await server.actAsDoctor();
    const bad = roleWithRules(doctor.profile as string, { zone: 'Nowhere/City' });
    const res = await doctor.agent.post('/fhir/PractitionerRole').set('Content-Type', FHIR_JSON).send(JSON.stringify(bad));
    expect(res.status).toBe(400);
    const list = JSON.parse((await doctor.agent.get(`/fhir/PractitionerRole?practitioner=${doctor.profile}`).expect(200)).text);
    expect(list.entry ?? []).toEqual([]);
  });
});
