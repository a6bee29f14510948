import type { Appointment, Subscription } from '@medplum/fhirtypes';
import { startHookListener, type HookListener } from '../setup/hook-listener';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * R4 rest-hook Subscriptions end to end: Subscriptions and Appointments written through the
 * FHIR API, notification passes run by hand with an injected clock, and a real local HTTP
 * server as the endpoint.
 */
const FHIR_JSON = 'application/fhir+json';
let now = new Date('2026-12-14T08:00:00Z');
const clock = (): Date => now;
const later = (ms: number): void => {
  now = new Date(now.getTime() + ms);
};

let hooks: HookListener;
let server: TestServer;
let hookToken: string;
let seq = 0;

beforeAll(async () => {
  hooks = await startHookListener();
  server = await startTestServer(
    { SUBSCRIPTION_TIMEOUT_MS: '500', NOTIFICATION_MAX_ATTEMPTS: '3', SUBSCRIPTION_ALLOWED_HOSTS: '127.0.0.1' },
    undefined,
    { clock },
  );
  hookToken = await server.mintToken({ client_id: 'hook-consumer', scope: 'system/Subscription.cruds system/Appointment.rs' });
});
afterAll(async () => {
  await server?.close();
  await hooks?.close();
});

function subscription(path: string, criteria: string, channel: Partial<Subscription['channel']> = {}): Subscription {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'test',
    criteria,
    channel: { type: 'rest-hook', endpoint: `${hooks.url}${path}`, payload: FHIR_JSON, ...channel },
  };
}

async function subscribe(resource: Subscription, token = hookToken): Promise<Subscription & { id: string }> {
  const res = await server.withToken(token).post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect(res.status).toBe(201);
  await server.notifications.tick();
  return readSubscription(JSON.parse(res.text).id);
}

async function readSubscription(id: string): Promise<Subscription & { id: string }> {
  return JSON.parse((await server.request.get(`/fhir/Subscription/${id}`)).text);
}

async function book(practitioner: string, status: Appointment['status'] = 'booked'): Promise<Appointment & { id: string }> {
  const appointment: Appointment = {
    resourceType: 'Appointment',
    status,
    start: '2026-12-20T09:00:00Z',
    end: '2026-12-20T09:30:00Z',
    participant: [{ actor: { reference: practitioner }, status: 'accepted' }],
  };
  const res = await server.request.post('/fhir/Appointment').set('Content-Type', FHIR_JSON).send(JSON.stringify(appointment));
  expect(res.status).toBe(201);
  return JSON.parse(res.text);
}

const practitioner = (): string => `Practitioner/p${++seq}`;

describe('rest-hook subscriptions', () => {
  test('a requested subscription becomes active and receives each matching write once, with its headers and event numbers', async () => {
    const doctor = practitioner();
    const sub = await subscribe(
      subscription('/booked', `Appointment?status=booked&practitioner=${doctor}`, { header: ['Authorization: Bearer hook-secret'] }),
    );
    expect(sub.status).toBe('active');

    const first = await book(doctor);
    await book(practitioner());
    await book(doctor, 'proposed');
    await server.notifications.tick();
    await server.notifications.tick();
    const calls = hooks.callsTo('/booked');
    expect(calls).toHaveLength(1);
    expect(calls[0].headers).toMatchObject({
      authorization: 'Bearer hook-secret',
      'content-type': FHIR_JSON,
      'x-medbuddy-subscription': sub.id,
      'x-medbuddy-event-number': '1',
    });
    expect(JSON.parse(calls[0].body)).toMatchObject({ resourceType: 'Appointment', id: first.id, meta: { versionId: '1' } });

    const updated = { ...first, comment: 'second version' };
    await server.request.put(`/fhir/Appointment/${first.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(updated));
    await server.notifications.tick();
    expect(hooks.callsTo('/booked').map((c) => c.headers['x-medbuddy-event-number'])).toEqual(['1', '2']);
    expect(JSON.parse(hooks.callsTo('/booked')[1].body).meta.versionId).toBe('2');

    // A client that missed deliveries asks for the events after the last one it saw.
    const missed = await server.withToken(hookToken).get(`/fhir/Subscription/${sub.id}/$events?eventsSinceNumber=1`);
    expect(missed.status).toBe(200);
    const bundle = JSON.parse(missed.text);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'history' });
    expect(bundle.entry).toHaveLength(1);
    expect(bundle.entry[0]).toMatchObject({
      extension: [{ url: 'https://medbuddy.dev/fhir/StructureDefinition/subscription-event-number', valueInteger: 2 }],
      resource: { resourceType: 'Appointment', id: first.id, comment: 'second version', meta: { versionId: '2' } },
    });
    const posted = await server
      .withToken(hookToken)
      .post(`/fhir/Subscription/${sub.id}/$events`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'eventsSinceNumber', valueInteger: 1 }] }));
    expect(JSON.parse(posted.text).entry).toHaveLength(1);
    const all = JSON.parse((await server.withToken(hookToken).get(`/fhir/Subscription/${sub.id}/$events`)).text);
    expect(all.entry.map((e: { extension: { valueInteger: number }[] }) => e.extension[0].valueInteger)).toEqual([1, 2]);
    const bad = await server.withToken(hookToken).get(`/fhir/Subscription/${sub.id}/$events?eventsSinceNumber=-1`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).resourceType).toBe('OperationOutcome');
    const patient = await server.actAsPatient();
    expect([403, 404]).toContain((await patient.agent.get(`/fhir/Subscription/${sub.id}/$events`)).status);
    expect((await server.request.get('/fhir/Subscription/does-not-exist/$events')).status).toBe(404);
  });

  test('without a payload type the POST has no body', async () => {
    const doctor = practitioner();
    await subscribe(subscription('/empty', `Appointment?practitioner=${doctor}`, { payload: undefined }));
    await book(doctor);
    await server.notifications.tick();
    expect(hooks.callsTo('/empty')).toEqual([expect.objectContaining({ body: '' })]);
    expect(hooks.callsTo('/empty')[0].headers['content-type']).toBeUndefined();
  });

  test('a failing endpoint is retried with backoff until it answers, and the event is delivered once', async () => {
    const doctor = practitioner();
    hooks.respond('/flaky', (n) => (n < 3 ? 503 : 200));
    await subscribe(subscription('/flaky', `Appointment?practitioner=${doctor}`));
    await book(doctor);
    await server.notifications.tick();
    expect(hooks.callsTo('/flaky')).toHaveLength(1);
    later(10_000);
    await server.notifications.tick();
    expect(hooks.callsTo('/flaky')).toHaveLength(1);
    later(20_000);
    await server.notifications.tick();
    expect(hooks.callsTo('/flaky')).toHaveLength(2);
    later(60_000);
    await server.notifications.tick();
    later(600_000);
    await server.notifications.tick();
    expect(hooks.callsTo('/flaky').map((c) => c.headers['x-medbuddy-event-number'])).toEqual(['1', '1', '1']);
  });

  test('an endpoint that keeps failing or hanging puts the subscription in error, with the reason, after the last attempt', async () => {
    const doctor = practitioner();
    hooks.respond('/hang', 'hang');
    const sub = await subscribe(subscription('/hang', `Appointment?practitioner=${doctor}`));
    await book(doctor);
    for (let i = 0; i < 3; i++) {
      await server.notifications.tick();
      later(3_600_000);
    }
    await server.notifications.tick();
    expect(hooks.callsTo('/hang')).toHaveLength(3);
    const failed = await readSubscription(sub.id);
    expect(failed.status).toBe('error');
    expect(failed.error).toMatch(/^Delivery of event 1 failed after 3 attempts: POST .* failed: no answer within 500 ms$/);
    await book(doctor);
    later(3_600_000);
    await server.notifications.tick();
    expect(hooks.callsTo('/hang')).toHaveLength(3);
  });

  test('a subscription never delivers what its owner may not read', async () => {
    const doctor = practitioner();
    const blind = await server.mintToken({ client_id: 'blind-consumer', scope: 'system/Subscription.cruds' });
    const sub = await subscribe(subscription('/blind', `Appointment?practitioner=${doctor}`), blind);
    expect(sub.status).toBe('active');
    await book(doctor);
    await server.notifications.tick();
    expect(hooks.callsTo('/blind')).toEqual([]);
  });
});

test('_content criteria match the words of the written version, as the search does', async () => {
  const sub = await subscribe(subscription('/full-text', 'Appointment?_content=interpreter,spanish%20translator'));
  expect(sub.status).toBe('active');
  const write = async (comment: string) => {
    const appointment: Appointment = { ...(await book(practitioner(), 'proposed')), comment };
    const res = await server.request
      .put(`/fhir/Appointment/${appointment.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(appointment));
    expect(res.status).toBe(200);
    return appointment.id as string;
  };
  const interpreter = await write('Needs an İNTERPRETER, please');
  const translator = await write('Translator (Spanish) booked');
  await write('Spanish speaker'); // one word of the second alternative only
  await write('interpreters wanted'); // a longer word is another word
  await server.notifications.tick();
  const notified = hooks.callsTo('/full-text').map((call) => JSON.parse(call.body) as Appointment);
  expect(notified.map((a) => [a.id, a.meta?.versionId])).toEqual([
    [interpreter, '2'],
    [translator, '2'],
  ]);
  // The same words find the same appointments by search.
  const found = JSON.parse((await server.request.get('/fhir/Appointment?_content=interpreter,spanish%20translator&_count=100')).text);
  expect(found.entry.map((e: { resource: Appointment }) => e.resource.id).sort()).toEqual([interpreter, translator].sort());
});

describe('bad subscriptions', () => {
  test.each([
    ['an unknown type', { criteria: 'Nonsense?status=booked' }, /criteria must start with a resource type/],
    ['an unknown parameter', { criteria: 'Appointment?colour=red' }, /not a search parameter of Appointment/],
    ['a chain', { criteria: 'Appointment?patient.name=x' }, /no chains/],
    ['a full-text value without a word', { criteria: 'Appointment?_content=%22%3B%22' }, /needs a word/],
    ['a full-text modifier', { criteria: 'Appointment?_content:exact=interpreter' }, /no modifiers/],
    ['full text of the audit trail', { criteria: 'AuditEvent?_content=read' }, /not supported on AuditEvent/],
    ['no criteria', { criteria: undefined }, /criteria/],
    ['an e-mail channel', { channel: { type: 'email' } }, /channel.type email is not supported/],
    ['a non-http endpoint', { channel: { type: 'rest-hook', endpoint: 'file:///etc/passwd' } }, /http\(s\) URL/],
    ['credentials in the endpoint', { channel: { type: 'rest-hook', endpoint: 'https://u:p@hooks.example.org/x' } }, /credentials/],
    ['a cloud metadata endpoint', { channel: { type: 'rest-hook', endpoint: 'http://169.254.169.254/latest' } }, /link-local/],
    [
      'a malformed header',
      { channel: { type: 'rest-hook', endpoint: 'https://hooks.example.org/x', header: ['no colon'] } },
      /channel.header/,
    ],
    [
      'an XML payload',
      { channel: { type: 'rest-hook', endpoint: 'https://hooks.example.org/x', payload: 'application/fhir+xml' } },
      /payload/,
    ],
  ])('%s is refused with 400', async (_name, change, message) => {
    const resource = { ...subscription('/bad', 'Appointment?status=booked'), ...change } as Subscription;
    const res = await server.request.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
    expect(res.status).toBe(400);
    const outcome = JSON.parse(res.text);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(res.text).toMatch(message);
  });

  test('an endpoint on a host that is not allowed is recorded as an error at activation', async () => {
    const sub = await subscribe({
      ...subscription('/x', 'Appointment?status=booked'),
      channel: { type: 'rest-hook', endpoint: 'https://hooks.evil.example/collect' },
    });
    expect(sub.status).toBe('error');
    expect(sub.error).toContain('not in SUBSCRIPTION_ALLOWED_HOSTS');
  });
});

describe('two server instances on one database', () => {
  test('each event is delivered exactly once, numbered without gaps', async () => {
    const second = await startTestServer({ SUBSCRIPTION_ALLOWED_HOSTS: '127.0.0.1' }, undefined, {
      clock,
      databaseUrl: server.databaseUrl,
    });
    try {
      const doctor = practitioner();
      await subscribe(subscription('/shared', `Appointment?practitioner=${doctor}`));
      await Promise.all(Array.from({ length: 10 }, () => book(doctor)));
      await Promise.all([
        server.notifications.tick(),
        second.notifications.tick(),
        server.notifications.tick(),
        second.notifications.tick(),
      ]);
      const numbers = hooks.callsTo('/shared').map((c) => Number(c.headers['x-medbuddy-event-number']));
      expect(numbers.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const ids = hooks.callsTo('/shared').map((c) => JSON.parse(c.body).id);
      expect(new Set(ids).size).toBe(10);
    } finally {
      await second.close();
    }
  });
});
