import type { Appointment, Subscription } from '@medplum/fhirtypes';
import { importJWK, jwtVerify } from 'jose';
import webpush from 'web-push';
import type { Logger } from '../../src/logger';
import { startHookListener, type HookListener } from '../setup/hook-listener';
import { PushSubscriber } from '../setup/push-subscriber';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * Web Push device registrations (a rest-hook Subscription whose endpoint is the browser's push
 * endpoint, its keys in an extension) delivered to a real local HTTP listener acting as the
 * push service; the test decrypts the message with the browser's keys and checks the VAPID
 * signature.
 */
const FHIR_JSON = 'application/fhir+json';
const WEB_PUSH = 'https://medbuddy.dev/fhir/StructureDefinition/subscription-web-push';
const vapid = webpush.generateVAPIDKeys();
let now = new Date('2026-12-15T08:00:00Z');
const clock = (): Date => now;
const errors: { message: string; details?: Record<string, unknown> }[] = [];
const logger: Logger = { info: () => undefined, error: (message, details) => void errors.push({ message, details }) };
let pushService: HookListener;
let server: TestServer;
let seq = 0;

beforeAll(async () => {
  pushService = await startHookListener();
  server = await startTestServer(
    {
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:ops@medbuddy.example.org',
      NOTIFICATION_MAX_ATTEMPTS: '3',
      SUBSCRIPTION_TIMEOUT_MS: '500',
    },
    logger,
    { clock },
  );
});
afterAll(async () => {
  await server?.close();
  await pushService?.close();
});

function registration(patient: string, path: string, keys: { p256dh: string; auth: string }): Subscription {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'Appointment updates on this device',
    criteria: `Appointment?patient=${patient}`,
    channel: {
      type: 'rest-hook',
      endpoint: `${pushService.url}${path}`,
      extension: [
        {
          url: WEB_PUSH,
          extension: [
            { url: 'p256dh', valueString: keys.p256dh },
            { url: 'auth', valueString: keys.auth },
          ],
        },
      ],
    },
  };
}

async function register(actor: Actor, resource: Subscription): Promise<Subscription & { id: string }> {
  const res = await actor.agent.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect(res.status).toBe(201);
  await server.notifications.tick();
  return JSON.parse((await actor.agent.get(`/fhir/Subscription/${JSON.parse(res.text).id}`)).text);
}

async function appointmentFor(patient: string): Promise<Appointment & { id: string }> {
  const appointment: Appointment = {
    resourceType: 'Appointment',
    status: 'proposed',
    comment: 'private note',
    participant: [{ actor: { reference: patient }, status: 'accepted' }],
  };
  const res = await server.request.post('/fhir/Appointment').set('Content-Type', FHIR_JSON).send(JSON.stringify(appointment));
  expect(res.status).toBe(201);
  return JSON.parse(res.text);
}

const path = (): string => `/push/device-${++seq}`;

test('an event reaches the push service encrypted for the browser and signed with the VAPID key', async () => {
  const patient = await server.actAsPatient();
  const browser = new PushSubscriber();
  const endpoint = path();
  const sub = await register(patient, registration(patient.profile as string, endpoint, browser.keys));
  expect(sub.status).toBe('active');
  const appointment = await appointmentFor(patient.profile as string);
  await server.notifications.tick();

  const [call] = pushService.callsTo(endpoint);
  expect(call.headers).toMatchObject({ 'content-encoding': 'aes128gcm', ttl: '86400', 'content-type': 'application/octet-stream' });
  expect(call.raw.includes(Buffer.from(appointment.id))).toBe(false);
  expect(JSON.parse(browser.decrypt(call.raw))).toEqual({
    subscription: sub.id,
    eventNumber: 1,
    resource: `Appointment/${appointment.id}`,
    event: 'update',
  });

  const [, token, key] = /^vapid t=([^,]+), k=(.+)$/.exec(call.headers.authorization ?? '') ?? [];
  expect(key).toBe(vapid.publicKey);
  const point = Buffer.from(vapid.publicKey, 'base64url');
  const publicKey = await importJWK(
    { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    'ES256',
  );
  const { payload } = await jwtVerify(token, publicKey, { audience: pushService.url });
  expect(payload.sub).toBe('mailto:ops@medbuddy.example.org');
});

test('a push service that fails is retried with backoff, the failure recorded on the job', async () => {
  const patient = await server.actAsPatient();
  const browser = new PushSubscriber();
  const endpoint = path();
  pushService.respond(endpoint, (n) => (n === 1 ? 500 : 201));
  const sub = await register(patient, registration(patient.profile as string, endpoint, browser.keys));
  await appointmentFor(patient.profile as string);
  await server.notifications.tick();
  const [job] = await server.notifications.store.jobsOf(`Subscription/${sub.id}`);
  expect(job).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/answered 500$/) });
  now = new Date(now.getTime() + 60_000);
  await server.notifications.tick();
  expect(pushService.callsTo(endpoint)).toHaveLength(2);
  expect((await server.notifications.store.jobsOf(`Subscription/${sub.id}`))[0].status).toBe('sent');
});

test('a push endpoint that is gone (410) ends the registration at once: logged, recorded, Subscription in error', async () => {
  const patient = await server.actAsPatient();
  const endpoint = path();
  pushService.respond(endpoint, 410);
  const sub = await register(patient, registration(patient.profile as string, endpoint, new PushSubscriber().keys));
  await appointmentFor(patient.profile as string);
  await server.notifications.tick();
  expect(pushService.callsTo(endpoint)).toHaveLength(1);
  const [job] = await server.notifications.store.jobsOf(`Subscription/${sub.id}`);
  expect(job).toMatchObject({
    status: 'dead',
    attempts: 1,
    lastError: expect.stringMatching(/answered 410: the browser's push subscription is gone/),
  });
  expect(errors).toContainEqual(
    expect.objectContaining({ message: 'Notification failed for good', details: expect.objectContaining({ job: job.id }) }),
  );
  const failed = JSON.parse((await patient.agent.get(`/fhir/Subscription/${sub.id}`)).text) as Subscription;
  expect(failed.status).toBe('error');
  expect(failed.error).toMatch(/push subscription is gone/);
});

test('malformed keys are refused with 400; without VAPID keys a registration goes to error', async () => {
  const patient = await server.actAsPatient();
  const bad = registration(patient.profile as string, path(), { p256dh: 'not base64!', auth: 'short' });
  const res = await patient.agent.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send(JSON.stringify(bad));
  expect(res.status).toBe(400);
  expect(res.text).toMatch(/p256dh and auth/);

  const plain = await startTestServer({}, undefined, { databaseUrl: server.databaseUrl, clock });
  try {
    const created = await patient.agent
      .post('/fhir/Subscription')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(registration(patient.profile as string, path(), new PushSubscriber().keys)));
    expect(created.status).toBe(201);
    await plain.notifications.tick();
    const sub = JSON.parse((await patient.agent.get(`/fhir/Subscription/${JSON.parse(created.text).id}`)).text) as Subscription;
    expect(sub.status).toBe('error');
    expect(sub.error).toMatch(/Web Push is not configured/);
  } finally {
    await plain.close();
  }
});

test('the CapabilityStatement tells clients where the WebSocket is and which VAPID key to subscribe with', async () => {
  const statement = JSON.parse((await server.anonymous().get('/fhir/metadata')).text);
  expect(statement.rest[0].extension).toEqual([
    { url: 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket', valueUrl: 'ws://medbuddy.test/subscriptions/ws' },
    { url: 'https://medbuddy.dev/fhir/StructureDefinition/web-push-vapid-public-key', valueString: vapid.publicKey },
  ]);
  const subscription = statement.rest[0].resource.find((r: { type: string }) => r.type === 'Subscription');
  expect(subscription.documentation).toMatch(/websocket/);
  expect(subscription.operation.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['events', 'get-ws-binding-token']));
});
