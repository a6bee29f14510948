import type { Appointment, Observation, Subscription } from '@medplum/fhirtypes';
import { startHookListener, type HookListener } from '../setup/hook-listener';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * Subscriptions owned by patients and doctors (criteria limited to what they may read) and
 * deletions delivered to subscribers: real server, real HTTP listener as the rest-hook endpoint.
 */
const FHIR_JSON = 'application/fhir+json';
let hooks: HookListener;
let server: TestServer;

beforeAll(async () => {
  hooks = await startHookListener();
  server = await startTestServer({ SUBSCRIPTION_TIMEOUT_MS: '500', SUBSCRIPTION_ALLOWED_HOSTS: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
  await hooks?.close();
});

function restHook(path: string, criteria: string): Subscription {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'live updates',
    criteria,
    channel: { type: 'rest-hook', endpoint: `${hooks.url}${path}`, payload: FHIR_JSON },
  };
}

async function post(agent: Actor['agent'], resource: object): Promise<{ status: number; body: { id: string; resourceType: string } }> {
  const res = await agent
    .post(`/fhir/${(resource as { resourceType: string }).resourceType}`)
    .set('Content-Type', FHIR_JSON)
    .send(JSON.stringify(resource));
  return { status: res.status, body: JSON.parse(res.text) };
}

async function appointmentFor(patient: string, practitioner?: string): Promise<Appointment & { id: string }> {
  const appointment: Appointment = {
    resourceType: 'Appointment',
    status: 'proposed',
    start: '2026-12-22T09:00:00Z',
    end: '2026-12-22T09:30:00Z',
    participant: [
      { actor: { reference: patient }, status: 'accepted' },
      ...(practitioner ? [{ actor: { reference: practitioner }, status: 'accepted' as const }] : []),
    ],
  };
  const { status, body } = await post(server.request, appointment);
  expect(status).toBe(201);
  return body as Appointment & { id: string };
}

async function tick(): Promise<void> {
  await server.notifications.tick();
  await server.notifications.tick();
}

describe('patients own Subscriptions limited to their compartment', () => {
  test("patient A's subscription receives A's appointment changes and never patient B's", async () => {
    const a = await server.actAsPatient();
    const b = await server.actAsPatient();
    const created = await post(a.agent, restHook('/patient-a', `Appointment?patient=${a.profile}`));
    expect(created.status).toBe(201);
    await tick();
    const sub = JSON.parse((await a.agent.get(`/fhir/Subscription/${created.body.id}`)).text) as Subscription;
    expect(sub.status).toBe('active');

    const theirs = await appointmentFor(b.profile as string);
    const mine = await appointmentFor(a.profile as string);
    await server.request
      .put(`/fhir/Appointment/${theirs.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...theirs, comment: 'changed' }));
    await tick();
    const calls = hooks.callsTo('/patient-a');
    expect(calls.map((c) => JSON.parse(c.body).id)).toEqual([mine.id]);

    // Patient B sees neither the subscription nor its events.
    expect((await b.agent.get(`/fhir/Subscription/${created.body.id}`)).status).toBe(404);
    expect((await b.agent.get(`/fhir/Subscription/${created.body.id}/$events`)).status).toBe(404);
    const search = JSON.parse((await b.agent.get('/fhir/Subscription')).text);
    expect(search.entry ?? []).toEqual([]);
    // Nor may B delete it (a delete of what the caller cannot see deletes nothing).
    await b.agent.delete(`/fhir/Subscription/${created.body.id}`);
    expect((await a.agent.get(`/fhir/Subscription/${created.body.id}`)).status).toBe(200);
    // A lists it and reads the event.
    const events = JSON.parse((await a.agent.get(`/fhir/Subscription/${created.body.id}/$events`)).text);
    expect(events.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([mine.id]);
  });

  test.each([
    ['no patient at all', () => 'Appointment?status=booked'],
    ['another patient', (_me: string, other: string) => `Appointment?patient=${other}`],
    ['themselves or another', (me: string, other: string) => `Appointment?patient=${me},${other}`],
    ['themselves and another', (me: string, other: string) => `Appointment?patient=${me}&actor=${other}`],
  ])('a patient cannot subscribe to %s (403 OperationOutcome)', async (_name, criteria) => {
    const me = await server.actAsPatient();
    const other = await server.actAsPatient();
    const res = await post(me.agent, restHook('/refused', criteria(me.profile as string, other.profile as string)));
    expect(res.status).toBe(403);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  test('a patient cannot move their subscription to another patient', async () => {
    const me = await server.actAsPatient();
    const other = await server.actAsPatient();
    const created = await post(me.agent, restHook('/moved', `Appointment?patient=${me.profile}`));
    expect(created.status).toBe(201);
    const moved = { ...restHook('/moved', `Appointment?patient=${other.profile}`), id: created.body.id };
    const res = await me.agent.put(`/fhir/Subscription/${created.body.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(moved));
    expect(res.status).toBe(403);
  });
});

test('a person may have at most 10 active Subscriptions; the next one is recorded as an error', async () => {
  const patient = await server.actAsPatient();
  const ids: string[] = [];
  for (let i = 0; i < 11; i++) {
    const created = await post(patient.agent, restHook(`/many-${i}`, `Appointment?patient=${patient.profile}`));
    expect(created.status).toBe(201);
    ids.push(created.body.id);
  }
  await tick();
  const statuses = await Promise.all(
    ids.map(async (id) => JSON.parse((await patient.agent.get(`/fhir/Subscription/${id}`)).text) as Subscription),
  );
  expect(statuses.filter((s) => s.status === 'active')).toHaveLength(10);
  const refused = statuses.filter((s) => s.status === 'error');
  expect(refused).toHaveLength(1);
  expect(refused[0].error).toMatch(/at most 10 active Subscriptions per user/);
});

describe('doctors own Subscriptions limited to their own appointments or patients in their care', () => {
  test('a doctor subscribes to their appointments and receives only those', async () => {
    const doctor = await server.actAsDoctor();
    const colleague = await server.actAsDoctor();
    const patient = await server.actAsPatient();
    const created = await post(doctor.agent, restHook('/doctor', `Appointment?practitioner=${doctor.profile}`));
    expect(created.status).toBe(201);
    await tick();
    const mine = await appointmentFor(patient.profile as string, doctor.profile);
    await appointmentFor(patient.profile as string, colleague.profile);
    await tick();
    expect(hooks.callsTo('/doctor').map((c) => JSON.parse(c.body).id)).toEqual([mine.id]);
    expect((await colleague.agent.get(`/fhir/Subscription/${created.body.id}`)).status).toBe(404);
  });

  test('a doctor’s subscription delivers only what they may read: a patient’s data stops when the care ends', async () => {
    const doctor = await server.actAsDoctor();
    const patient = await server.actAsPatient();
    const care = await appointmentFor(patient.profile as string, doctor.profile);
    const created = await post(doctor.agent, restHook('/care', `Observation?performer=${doctor.profile}`));
    expect(created.status).toBe(201);
    await tick();
    const observation = (text: string): Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text },
      subject: { reference: patient.profile },
      performer: [{ reference: doctor.profile }],
    });
    const during = await post(server.request, observation('during care'));
    await tick();
    expect(hooks.callsTo('/care').map((c) => JSON.parse(c.body).id)).toEqual([during.body.id]);

    const cancelled = await server.request
      .put(`/fhir/Appointment/${care.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...care, status: 'cancelled' }));
    expect(cancelled.status).toBe(200);
    await post(server.request, observation('after care'));
    await tick();
    expect(hooks.callsTo('/care').map((c) => JSON.parse(c.body).id)).toEqual([during.body.id]);
  });

  test('a patient’s subscription stays theirs: their doctor neither reads it nor its hook headers', async () => {
    const doctor = await server.actAsDoctor();
    const patient = await server.actAsPatient();
    await appointmentFor(patient.profile as string, doctor.profile);
    const created = await post(patient.agent, {
      ...restHook('/private', `Appointment?patient=${patient.profile}`),
      channel: { type: 'rest-hook', endpoint: `${hooks.url}/private`, header: ['Authorization: Bearer patient-secret'] },
    });
    expect(created.status).toBe(201);
    expect((await doctor.agent.get(`/fhir/Subscription/${created.body.id}`)).status).toBe(404);
    const search = await doctor.agent.get('/fhir/Subscription');
    expect(search.text).not.toContain('patient-secret');
  });

  test.each([
    ['everyone', () => 'Appointment?status=booked'],
    ['a colleague', (colleague: string) => `Appointment?practitioner=${colleague}`],
    ['a patient not in their care', (_colleague: string, stranger: string) => `Observation?patient=${stranger}`],
    [
      'a patient, even with themselves named (it would be the patient’s)',
      (_colleague: string, stranger: string, me: string) => `Appointment?patient=${stranger}&practitioner=${me}`,
    ],
  ])('a doctor cannot subscribe to %s (403)', async (_name, criteria) => {
    const doctor = await server.actAsDoctor();
    const colleague = await server.actAsDoctor();
    const stranger = await server.actAsPatient();
    const res = await post(
      doctor.agent,
      restHook('/refused', criteria(colleague.profile as string, stranger.profile as string, doctor.profile as string)),
    );
    expect(res.status).toBe(403);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});

describe('deletions', () => {
  test('deleting a resource that matched notifies the subscriber, without a body, and $events lists it', async () => {
    const patient = await server.actAsPatient();
    const created = await post(server.request, restHook('/deleted', `Observation?subject=${patient.profile}`));
    await tick();
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Heart rate' },
      subject: { reference: patient.profile },
      valueQuantity: { value: 72, unit: '/min' },
    };
    const written = await post(server.request, observation);
    expect(written.status).toBe(201);
    const other = await post(server.request, { ...observation, subject: { reference: 'Patient/someone-else' } });
    expect(other.status).toBe(201);
    await tick();
    expect((await server.request.delete(`/fhir/Observation/${written.body.id}`)).status).toBe(204);
    expect((await server.request.delete(`/fhir/Observation/${other.body.id}`)).status).toBe(204);
    await tick();
    const calls = hooks.callsTo('/deleted');
    expect(calls).toHaveLength(2);
    expect(calls[1].body).toBe('');
    expect(calls[1].headers).toMatchObject({
      'x-medbuddy-event-type': 'delete',
      'x-medbuddy-resource': `Observation/${written.body.id}`,
      'x-medbuddy-event-number': '2',
    });
    const events = JSON.parse((await server.request.get(`/fhir/Subscription/${created.body.id}/$events?eventsSinceNumber=1`)).text);
    expect(events.entry).toEqual([
      expect.objectContaining({
        request: { method: 'DELETE', url: `Observation/${written.body.id}` },
        extension: [expect.objectContaining({ valueInteger: 2 })],
      }),
    ]);
    expect(events.entry[0].resource).toBeUndefined();
  });
});
