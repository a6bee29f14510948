import type { Appointment, Bundle, Parameters, Subscription } from '@medplum/fhirtypes';
import { decodeJwt } from 'jose';
import { TextSocket } from '../setup/text-socket';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * The R4 websocket channel end to end: Subscriptions written through the API, real WebSocket
 * clients binding with a binding token (as the portals do) or an Authorization header, and
 * notification passes run by hand.
 */
const FHIR_JSON = 'application/fhir+json';
const PATH = '/subscriptions/ws';
let server: TestServer;
const sockets: TextSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});
afterAll(() => server?.close());

async function open(target: TestServer = server, headers: Record<string, string> = {}): Promise<TextSocket> {
  const socket = await TextSocket.open(target.address, PATH, headers);
  sockets.push(socket);
  return socket;
}

async function subscribe(actor: Actor | undefined, criteria: string, payload: string | null = FHIR_JSON): Promise<string> {
  const agent = actor?.agent ?? server.request;
  const resource: Subscription = {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'live',
    criteria,
    channel: { type: 'websocket', payload: payload ?? undefined },
  };
  const res = await agent.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect(res.status).toBe(201);
  await server.notifications.tick();
  return JSON.parse(res.text).id;
}

async function bindingToken(actor: Actor, id: string): Promise<Parameters> {
  const res = await actor.agent.get(`/fhir/Subscription/${id}/$get-ws-binding-token`);
  expect(res.status).toBe(200);
  return JSON.parse(res.text);
}

async function appointmentFor(patient: string, comment = 'booked'): Promise<Appointment & { id: string }> {
  const appointment: Appointment = {
    resourceType: 'Appointment',
    status: 'proposed',
    comment,
    start: '2026-12-23T09:00:00Z',
    end: '2026-12-23T09:30:00Z',
    participant: [{ actor: { reference: patient }, status: 'accepted' }],
  };
  const res = await server.request.post('/fhir/Appointment').set('Content-Type', FHIR_JSON).send(JSON.stringify(appointment));
  expect(res.status).toBe(201);
  return JSON.parse(res.text);
}

describe('websocket subscriptions', () => {
  test('a patient binds with a binding token and gets a ping and the event for their appointment only', async () => {
    const a = await server.actAsPatient();
    const b = await server.actAsPatient();
    const id = await subscribe(a, `Appointment?patient=${a.profile}`);
    const params = await bindingToken(a, id);
    const value = (name: string) => params.parameter?.find((p) => p.name === name);
    expect(value('subscription')?.valueString).toBe(`Subscription/${id}`);
    expect(value('websocket-url')?.valueUrl).toBe('ws://medbuddy.test/subscriptions/ws');
    expect(new Date(value('expiration')?.valueDateTime as string).getTime()).toBeGreaterThan(Date.now());

    const socket = await open();
    socket.send(`bind-with-token ${value('token')?.valueString}`);
    expect(await socket.next()).toBe(`bound ${id}`);

    await appointmentFor(b.profile as string);
    const mine = await appointmentFor(a.profile as string);
    await server.notifications.tick();
    expect(await socket.next()).toBe(`ping ${id}`);
    const bundle = JSON.parse(await socket.next()) as Bundle;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'history' });
    expect(bundle.entry).toHaveLength(1);
    expect(bundle.entry?.[0]).toMatchObject({ resource: { id: mine.id }, extension: [{ valueInteger: 1 }] });
    await server.notifications.tick();
    expect(socket.unread()).toEqual([]);

    // Deleting it is an event too.
    expect((await server.request.delete(`/fhir/Appointment/${mine.id}`)).status).toBe(204);
    await server.notifications.tick();
    expect(await socket.next()).toBe(`ping ${id}`);
    expect(JSON.parse(await socket.next()).entry[0].request).toEqual({ method: 'DELETE', url: `Appointment/${mine.id}` });
  });

  test('a client authenticated by its Authorization header binds with "bind <id>"; without a payload only pings', async () => {
    const doctor = await server.actAsDoctor();
    const patient = await server.actAsPatient();
    const id = await subscribe(doctor, `Appointment?practitioner=${doctor.profile}`, null);
    const socket = await open(server, { Authorization: `Bearer ${doctor.token}` });
    socket.send(`bind ${id}`);
    expect(await socket.next()).toBe(`bound ${id}`);
    const appointment: Appointment = {
      resourceType: 'Appointment',
      status: 'proposed',
      participant: [
        { actor: { reference: patient.profile }, status: 'accepted' },
        { actor: { reference: doctor.profile }, status: 'accepted' },
      ],
    };
    await server.request.post('/fhir/Appointment').set('Content-Type', FHIR_JSON).send(JSON.stringify(appointment));
    await server.notifications.tick();
    expect(await socket.next()).toBe(`ping ${id}`);
    await server.notifications.tick();
    expect(socket.unread()).toEqual([]);
    socket.send(`unbind ${id}`);
    expect(await socket.next()).toBe(`unbound ${id}`);
  });

  test('nobody binds what they may not read, and bad messages get an error', async () => {
    const a = await server.actAsPatient();
    const b = await server.actAsPatient();
    const id = await subscribe(a, `Appointment?patient=${a.profile}`);
    // B can neither get a binding token nor bind with their own token.
    expect((await b.agent.get(`/fhir/Subscription/${id}/$get-ws-binding-token`)).status).toBe(404);
    const asB = await open(server, { Authorization: `Bearer ${b.token}` });
    asB.send(`bind ${id}`);
    expect(await asB.next()).toBe(`error ${id} no such Subscription`);
    await appointmentFor(a.profile as string);
    await server.notifications.tick();
    expect(asB.unread()).toEqual([]);

    const anonymous = await open();
    anonymous.send(`bind ${id}`);
    expect(await anonymous.next()).toMatch(new RegExp(`^error ${id} bind needs an access token`));
    const token = (await bindingToken(a, id)).parameter?.find((p) => p.name === 'token')?.valueString as string;
    anonymous.send(`bind-with-token ${token.slice(0, -2)}xx`);
    expect(await anonymous.next()).toBe('error the binding token is invalid or expired');
    anonymous.send('subscribe everything please');
    expect(await anonymous.next()).toMatch(/^error messages are/);
    anonymous.send('hello there');
    expect(await anonymous.next()).toMatch(/^error unknown command/);

    await expect(TextSocket.open(server.address, PATH, { Authorization: 'Bearer not.a.token' })).rejects.toThrow(/401/);
    await expect(TextSocket.open(server.address, '/elsewhere')).rejects.toThrow(/404/);
  });

  test('a connection opened with an access token is closed when the token expires', async () => {
    const patient = await server.actAsPatient();
    const id = await subscribe(patient, `Appointment?patient=${patient.profile}`);
    const { token } = await server.security.signer.issueAccessToken(
      { sub: 'short-lived', client_id: 'patient-portal', role: 'patient', fhirUser: patient.profile, scope: 'user/*.cruds' },
      2,
    );
    const socket = await open(server, { Authorization: `Bearer ${token}` });
    socket.send(`bind ${id}`);
    expect(await socket.next()).toBe(`bound ${id}`);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      socket.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(closed).toEqual({ code: 4001, reason: 'The access token expired' });
  });

  test("a disabled account's bound sockets close before its next event, and its binding tokens bind nothing", async () => {
    const patient = await server.actAsPatient();
    const accountId = decodeJwt(patient.token).sub as string;
    const id = await subscribe(patient, `Appointment?patient=${patient.profile}`);
    const tokenOf = async () => (await bindingToken(patient, id)).parameter?.find((p) => p.name === 'token')?.valueString;
    const bound = await open();
    bound.send(`bind-with-token ${await tokenOf()}`);
    expect(await bound.next()).toBe(`bound ${id}`);
    const unused = await tokenOf();

    // What disabling the account through /admin/accounts does on this instance (other instances: within 5 s).
    server.security.revocations.setAccountDisabled(accountId, true);
    try {
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        bound.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      await appointmentFor(patient.profile as string);
      await server.notifications.tick();
      expect(await closed).toEqual({ code: 4001, reason: 'The account is disabled' });
      expect(bound.unread()).toEqual([]);

      const late = await open();
      const lateClosed = new Promise<number>((resolve) => late.socket.once('close', (code) => resolve(code)));
      late.send(`bind-with-token ${unused}`);
      expect(await lateClosed).toBe(4001);
      expect(late.unread()).toEqual([]);
    } finally {
      server.security.revocations.setAccountDisabled(accountId, false);
    }
  });

  test('a binding token is only for a websocket channel (400 OperationOutcome)', async () => {
    const patient = await server.actAsPatient();
    const res = await patient.agent
      .post('/fhir/Subscription')
      .set('Content-Type', FHIR_JSON)
      .send(
        JSON.stringify({
          resourceType: 'Subscription',
          status: 'requested',
          reason: 'x',
          criteria: `Appointment?patient=${patient.profile}`,
          channel: { type: 'rest-hook', endpoint: 'https://hooks.example.org/x' },
        }),
      );
    expect(res.status).toBe(201);
    const token = await patient.agent.get(`/fhir/Subscription/${JSON.parse(res.text).id}/$get-ws-binding-token`);
    expect(token.status).toBe(400);
    expect(JSON.parse(token.text).resourceType).toBe('OperationOutcome');
  });

  test('a client bound to one server instance gets the events another instance planned and sent', async () => {
    const second = await startTestServer({}, undefined, { databaseUrl: server.databaseUrl });
    try {
      const patient = await server.actAsPatient();
      const id = await subscribe(patient, `Appointment?patient=${patient.profile}`);
      const socket = await open(second, { Authorization: `Bearer ${patient.token}` });
      socket.send(`bind ${id}`);
      expect(await socket.next()).toBe(`bound ${id}`);
      const first = await appointmentFor(patient.profile as string);
      await server.notifications.tick();
      expect(socket.unread()).toEqual([]);
      await second.notifications.tick();
      expect(await socket.next()).toBe(`ping ${id}`);
      expect(JSON.parse(await socket.next()).entry[0].resource.id).toBe(first.id);
      await second.notifications.tick();
      expect(socket.unread()).toEqual([]);
    } finally {
      // An open WebSocket keeps the HTTP server from closing (as in main.ts's graceful shutdown).
      await Promise.all(sockets.splice(0).map((s) => s.close()));
      await second.close();
    }
  });
});
