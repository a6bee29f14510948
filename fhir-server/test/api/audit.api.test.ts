import type { AuditEvent, Bundle, Observation } from '@medplum/fhirtypes';
import { createAccount } from '../setup/accounts';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * One AuditEvent per request in the IHE BALP shape (auditevent.html; profiles.ihe.net/ITI/BALP):
 * who, patient, resources, outcome, source IP and request id; writes audited in the same
 * transaction, reads through the background buffer.
 */
const FHIR_JSON = 'application/fhir+json';
let server: TestServer;
let patient: Actor;
let doctor: Actor;
let admin: Actor;

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  admin = await server.actAsAdmin();
});
afterAll(() => server.close());

async function auditEvents(): Promise<AuditEvent[]> {
  const res = await admin.agent.get('/fhir/AuditEvent?_count=1000').expect(200);
  return ((JSON.parse(res.text) as Bundle).entry ?? []).map((e) => e.resource as AuditEvent);
}

async function eventFor(requestId: string): Promise<AuditEvent[]> {
  return (await auditEvents()).filter((e) => e.entity?.some((x) => x.what?.identifier?.value === requestId));
}

const referencesOf = (event: AuditEvent, role: string) =>
  event.entity?.filter((e) => e.role?.code === role).map((e) => e.what?.reference) ?? [];

describe('AuditEvent per request (BALP RESTful operations)', () => {
  test('a create is audited in the same transaction: the event is there before any flush', async () => {
    const res = await patient.agent
      .post('/fhir/Observation')
      .set('Content-Type', FHIR_JSON)
      .set('X-Request-Id', 'req-create-1')
      .send(JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'bp' }, subject: { reference: patient.profile } }))
      .expect(201);
    const created = JSON.parse(res.text) as Observation;
    const [event] = await eventFor('req-create-1');
    expect(event).toMatchObject({
      type: { code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'create' }],
      action: 'C',
      outcome: '0',
      agent: [
        expect.objectContaining({
          requestor: true,
          who: { reference: patient.profile },
          network: { address: expect.stringContaining('127.0.0.1'), type: '2' },
        }),
        expect.anything(),
      ],
    });
    expect(referencesOf(event, '1')).toEqual([patient.profile]);
    expect(referencesOf(event, '4')).toEqual([`Observation/${created.id}`]);
  });

  test('a read is one event, stored by the buffer; a refused write is audited with a failure outcome', async () => {
    await patient.agent.get(`/fhir/${patient.profile}`).set('X-Request-Id', 'req-read-1').expect(200);
    await patient.agent
      .post('/fhir/Observation')
      .set('Content-Type', FHIR_JSON)
      .set('X-Request-Id', 'req-denied-1')
      .send(
        JSON.stringify({
          resourceType: 'Observation',
          status: 'final',
          code: { text: 'x' },
          subject: { reference: 'Patient/someone-else' },
        }),
      )
      .expect(403);
    await server.flushAudit();
    const [read] = await eventFor('req-read-1');
    expect(read).toMatchObject({ subtype: [{ code: 'read' }], action: 'R', outcome: '0' });
    expect(referencesOf(read, '1')).toEqual([patient.profile]);
    const [denied] = await eventFor('req-denied-1');
    expect(denied).toMatchObject({ subtype: [{ code: 'create' }], outcome: '4', outcomeDesc: expect.stringContaining('403') });
  });

  test('a search over many patients is one event listing each of them, with the query', async () => {
    const patients: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = JSON.parse(
        (await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send('{"resourceType":"Patient"}')).text,
      );
      patients.push(`Patient/${p.id}`);
    }
    await server.request
      .get(`/fhir/Patient?_id=${patients.map((p) => p.split('/')[1]).join(',')}`)
      .set('X-Request-Id', 'req-search-1')
      .expect(200);
    await server.flushAudit();
    const events = await eventFor('req-search-1');
    expect(events).toHaveLength(1);
    expect(events[0].subtype?.[0].code).toBe('search-type');
    expect(referencesOf(events[0], '1').sort()).toEqual(patients.sort());
    expect(Buffer.from(events[0].entity?.find((e) => e.role?.code === '24')?.query as string, 'base64').toString()).toContain('_id=');
  });

  test('a transaction bundle is one event, committed with it', async () => {
    await server.request
      .post('/fhir')
      .set('Content-Type', FHIR_JSON)
      .set('X-Request-Id', 'req-tx-1')
      .send(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { fullUrl: 'urn:uuid:1', request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient' } },
            {
              request: { method: 'POST', url: 'Observation' },
              resource: { resourceType: 'Observation', status: 'final', code: { text: 'y' }, subject: { reference: 'urn:uuid:1' } },
            },
          ],
        }),
      )
      .expect(200);
    const events = await eventFor('req-tx-1');
    expect(events).toHaveLength(1);
    expect(events[0].subtype?.[0].code).toBe('transaction');
    // The new Patient is listed as the patient, the Observation as a domain resource.
    expect(referencesOf(events[0], '1')).toEqual([expect.stringMatching(/^Patient\//)]);
    expect(referencesOf(events[0], '4')).toEqual([expect.stringMatching(/^Observation\//)]);
  });

  test('a clinician reading through the care relationship is audited with purpose TREAT', async () => {
    await server.request
      .post('/fhir/Encounter')
      .set('Content-Type', FHIR_JSON)
      .send(
        JSON.stringify({
          resourceType: 'Encounter',
          status: 'finished',
          class: { code: 'VR' },
          subject: { reference: patient.profile },
          participant: [{ individual: { reference: doctor.profile } }],
        }),
      )
      .expect(201);
    await doctor.agent.get(`/fhir/${patient.profile}`).set('X-Request-Id', 'req-care-1').expect(200);
    await server.flushAudit();
    const [event] = await eventFor('req-care-1');
    expect(event.purposeOfEvent?.[0].coding?.[0].code).toBe('TREAT');
    expect(event.agent?.[0].who?.reference).toBe(doctor.profile);
  });

  test('public directory browsing by anonymous callers is not audited', async () => {
    await server.anonymous().get('/fhir/Practitioner').set('X-Request-Id', 'req-anon-1').expect(200);
    await server.flushAudit();
    expect(await eventFor('req-anon-1')).toEqual([]);
  });
});

describe('security events (BALP user authentication)', () => {
  test('login success and failure, token refresh and revoke are audited', async () => {
    const user = await createAccount(server, 'patient');
    await server
      .anonymous()
      .post('/auth/login')
      .set('X-Request-Id', 'req-login-bad')
      .send({ email: user.email, password: 'wrong password here' })
      .expect(401);
    const login = await server
      .anonymous()
      .post('/auth/login')
      .set('X-Request-Id', 'req-login-ok')
      .send({ email: user.email, password: user.password })
      .expect(200);
    await server
      .anonymous()
      .post('/auth/refresh')
      .set('X-Request-Id', 'req-refresh')
      .send({ refresh_token: login.body.refresh_token })
      .expect(200);
    await server
      .anonymous()
      .post('/oauth2/revoke')
      .type('form')
      .set('X-Request-Id', 'req-revoke')
      .send({ token: login.body.access_token })
      .expect(200);
    await server.flushAudit();
    const [bad] = await eventFor('req-login-bad');
    expect(bad).toMatchObject({ type: { code: '110114' }, subtype: [{ code: 'login' }], outcome: '4' });
    const [ok] = await eventFor('req-login-ok');
    expect(ok).toMatchObject({
      subtype: [{ code: 'login' }],
      outcome: '0',
      agent: [expect.objectContaining({ who: { reference: user.profile }, altId: user.accountId })],
    });
    expect((await eventFor('req-refresh'))[0].subtype?.[0].code).toBe('token-refresh');
    await server
      .anonymous()
      .post('/auth/register')
      .set('X-Request-Id', 'req-register')
      .send({ email: 'new@example.org', password: 'a fine long passphrase', role: 'patient' })
      .expect(202);
    await server
      .anonymous()
      .post('/auth/reset-password')
      .set('X-Request-Id', 'req-reset')
      .send({ token: 'forged', password: 'a fine long passphrase' })
      .expect(400);
    await server.flushAudit();
    expect((await eventFor('req-register'))[0]).toMatchObject({ subtype: [{ code: 'register' }], outcome: '0' });
    expect((await eventFor('req-reset'))[0]).toMatchObject({ subtype: [{ code: 'reset-password' }], outcome: '4' });
    expect((await eventFor('req-revoke'))[0].subtype?.[0].code).toBe('token-revoke');
  });
});

describe('the audit trail itself', () => {
  test('AuditEvents can be read and vread by admins but are not part of _history', async () => {
    await patient.agent.get(`/fhir/${patient.profile}`).set('X-Request-Id', 'req-trail-1').expect(200);
    await server.flushAudit();
    const [event] = await eventFor('req-trail-1');
    await admin.agent.get(`/fhir/AuditEvent/${event.id}`).expect(200);
    await admin.agent.get(`/fhir/AuditEvent/${event.id}/_history/1`).expect(200);
    const history = JSON.parse((await server.request.get('/fhir/_history?_count=1000').expect(200)).text) as Bundle;
    expect(history.entry?.some((e) => e.resource?.resourceType === 'AuditEvent' || e.request?.url?.startsWith('AuditEvent'))).toBe(false);
  });
});
