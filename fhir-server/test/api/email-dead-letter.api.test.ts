import type { Bundle, Communication, MedicationRequest, Patient, Resource } from '@medplum/fhirtypes';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * An e-mail that cannot be delivered: a real SMTP server that refuses the recipient, retries
 * with backoff under an injected clock, and after NOTIFICATION_MAX_ATTEMPTS a `not-done`
 * Communication recording the failure.
 */
const FHIR_JSON = 'application/fhir+json';
let now = new Date('2026-12-16T08:00:00Z');
const clock = (): Date => now;
let attempts = 0;
let smtp: SMTPServer;
let server: TestServer;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      attempts++;
      const refusal = Object.assign(new Error(`Mailbox ${address.address} unavailable`), { responseCode: 550 });
      callback(refusal);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  server = await startTestServer({ SMTP_URL: `smtp://127.0.0.1:${port}`, NOTIFICATION_MAX_ATTEMPTS: '3' }, undefined, { clock });
});
afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

async function create<T extends Resource>(resource: T): Promise<T & { id: string }> {
  const res = await server.request.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect(res.status).toBe(201);
  return JSON.parse(res.text);
}

async function communications(patient: string): Promise<Communication[]> {
  const res = await server.request.get(`/fhir/Communication?subject=${patient}`);
  return ((JSON.parse(res.text) as Bundle).entry ?? []).map((e) => e.resource as Communication);
}

test('an e-mail refused on every attempt is dead-lettered after NOTIFICATION_MAX_ATTEMPTS and recorded as not-done', async () => {
  const patient = await create<Patient>({ resourceType: 'Patient', telecom: [{ system: 'email', value: 'nobody@example.org' }] });
  const reference = `Patient/${patient.id}`;
  const prescription = await create<MedicationRequest>({
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    subject: { reference },
    medicationCodeableConcept: { text: 'Amoxicillin' },
  });
  await server.notifications.tick();
  expect(attempts).toBe(1);
  const [job] = await server.notifications.store.jobsOf(`MedicationRequest/${prescription.id}`);
  expect(job).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/550/) });
  expect(await communications(reference)).toEqual([]);

  // Retried with backoff: not before it is due, then once per due time.
  now = new Date(now.getTime() + 10_000);
  await server.notifications.tick();
  expect(attempts).toBe(1);
  for (const wait of [60_000, 120_000]) {
    now = new Date(now.getTime() + wait);
    await server.notifications.tick();
  }
  expect(attempts).toBe(3);
  const [dead] = await server.notifications.store.jobsOf(`MedicationRequest/${prescription.id}`);
  expect(dead).toMatchObject({ status: 'dead', attempts: 3 });

  const records = await communications(reference);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({
    status: 'not-done',
    statusReason: { text: expect.stringMatching(/550/) },
    recipient: [{ reference }],
    about: [{ reference: `MedicationRequest/${prescription.id}` }],
    category: [{ coding: [expect.objectContaining({ code: 'prescription-ready' })] }],
    payload: [{ contentString: 'prescription-ready e-mail not delivered' }],
  });
  expect(records[0].sent).toBeUndefined();

  // Nothing more is attempted.
  now = new Date(now.getTime() + 24 * 3_600_000);
  await server.notifications.tick();
  expect(attempts).toBe(3);
});
