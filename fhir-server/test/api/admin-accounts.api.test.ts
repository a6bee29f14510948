import type { AuditEvent } from '@medplum/fhirtypes';
import { createAccount } from '../setup/accounts';
import { expectOutcome } from '../setup/matchers';
import { startSmtpListener, type SmtpListener } from '../setup/smtp-listener';
import { startTestServer, type TestServer } from '../setup/test-server';

/** `/admin/accounts`: administrators find, disable, re-enable accounts and resend verification; nobody else may. */
let server: TestServer;
let smtp: SmtpListener;
let adminToken: string;
let adminAccountId: string;

beforeAll(async () => {
  smtp = await startSmtpListener();
  server = await startTestServer({ SMTP_URL: smtp.url });
  const admin = await createAccount(server, 'admin');
  adminAccountId = admin.accountId;
  const login = await server.anonymous().post('/auth/login').send({ email: admin.email, password: admin.password }).expect(200);
  adminToken = login.body.access_token;
});
afterAll(async () => {
  await server.close();
  await smtp.close();
});

const admin = () => server.withToken(adminToken);

describe('who may use it', () => {
  test('without a token: 401; a doctor or a patient: 403 OperationOutcome, for every route', async () => {
    expectOutcome(await server.anonymous().get('/admin/accounts'), 401, 'login');
    const doctor = await server.actAsDoctor();
    const patient = await server.actAsPatient();
    const target = await createAccount(server, 'patient');
    for (const actor of [doctor, patient]) {
      expectOutcome(await actor.agent.get('/admin/accounts?email=example'), 403, 'forbidden');
      expectOutcome(await actor.agent.post(`/admin/accounts/${target.accountId}/disable`), 403, 'forbidden');
      expectOutcome(await actor.agent.post(`/admin/accounts/${target.accountId}/enable`), 403, 'forbidden');
      expectOutcome(await actor.agent.post(`/admin/accounts/${target.accountId}/resend-verification`), 403, 'forbidden');
    }
  });
});

describe('find', () => {
  test('by part of the e-mail and by role, without secrets', async () => {
    const doctor = await createAccount(server, 'doctor', { email: 'dr.findme@clinic.example' });
    await createAccount(server, 'patient', { email: 'findme.patient@clinic.example' });
    const all = await admin().get('/admin/accounts?email=FINDME').expect(200);
    expect(all.body.accounts.map((a: { email: string }) => a.email)).toEqual(['dr.findme@clinic.example', 'findme.patient@clinic.example']);
    const doctors = await admin().get('/admin/accounts?email=findme&role=doctor').expect(200);
    expect(doctors.body.accounts).toEqual([
      {
        id: doctor.accountId,
        email: 'dr.findme@clinic.example',
        role: 'doctor',
        profile: doctor.profile,
        emailVerified: true,
        disabled: false,
      },
    ]);
    expect(JSON.stringify(all.body)).not.toMatch(/password|hash/i);
  });

  test('LIKE wildcards in the query are taken literally', async () => {
    await createAccount(server, 'patient', { email: 'wild_card@example.org' });
    const found = await admin().get('/admin/accounts?email=%25').expect(200);
    expect(found.body.accounts).toEqual([]);
    const underscore = await admin().get('/admin/accounts?email=wild_card').expect(200);
    expect(underscore.body.accounts).toHaveLength(1);
  });

  test('bad input is a 400 OperationOutcome', async () => {
    expectOutcome(await admin().get('/admin/accounts?role=superuser'), 400, 'invalid');
    expectOutcome(await admin().get(`/admin/accounts?email=${'a'.repeat(300)}`), 400, 'invalid');
    expectOutcome(await admin().post('/admin/accounts/not-an-id/disable'), 404, 'not-found');
    expectOutcome(await admin().post('/admin/accounts/00000000-0000-4000-8000-000000000000/disable'), 404, 'not-found');
  });
});

describe('disable and re-enable', () => {
  test('a disabled account cannot sign in or refresh; re-enabled, it signs in again', async () => {
    const doctor = await createAccount(server, 'doctor');
    const before = await server.anonymous().post('/auth/login').send({ email: doctor.email, password: doctor.password }).expect(200);
    const disabled = await admin().post(`/admin/accounts/${doctor.accountId}/disable`).set('X-Request-Id', 'req-disable').expect(200);
    expect(disabled.body.disabled).toBe(true);
    await server.flushAudit();
    const audit = await server.request.get('/fhir/AuditEvent?subtype=account-disable').expect(200);
    const events = (JSON.parse(audit.text).entry ?? []).map((e: { resource: AuditEvent }) => e.resource) as AuditEvent[];
    const event = events.find((e) => e.entity?.some((x) => x.what?.identifier?.value === 'req-disable'));
    expect(event).toMatchObject({ subtype: [{ code: 'account-disable' }], outcome: '0' });
    expectOutcome(await server.anonymous().post('/auth/login').send({ email: doctor.email, password: doctor.password }), 403, 'forbidden');
    expectOutcome(await server.anonymous().post('/auth/refresh').send({ refresh_token: before.body.refresh_token }), 400, 'invalid');
    const enabled = await admin().post(`/admin/accounts/${doctor.accountId}/enable`).expect(200);
    expect(enabled.body.disabled).toBe(false);
    await server.anonymous().post('/auth/login').send({ email: doctor.email, password: doctor.password }).expect(200);
  });

  test("disabling ends the account's access tokens already issued; re-enabling restores them", async () => {
    const patient = await createAccount(server, 'patient');
    const login = await server.anonymous().post('/auth/login').send({ email: patient.email, password: patient.password }).expect(200);
    const ownProfile = () => server.withToken(login.body.access_token).get(`/fhir/${patient.profile}`);
    await ownProfile().expect(200);
    await admin().post(`/admin/accounts/${patient.accountId}/disable`).expect(200);
    expectOutcome(await ownProfile(), 401, 'login');
    await admin().post(`/admin/accounts/${patient.accountId}/enable`).expect(200);
    await ownProfile().expect(200);
  });

  test('a disable or re-enable made by another instance takes effect here when the revocation list reloads', async () => {
    const patient = await createAccount(server, 'patient');
    const login = await server.anonymous().post('/auth/login').send({ email: patient.email, password: patient.password }).expect(200);
    const ownProfile = () => server.withToken(login.body.access_token).get(`/fhir/${patient.profile}`);
    // Written to the shared database only, as the other instance's AccountService would.
    await server.security.store.setDisabled(patient.accountId, new Date());
    await server.security.revocations.reload();
    expectOutcome(await ownProfile(), 401, 'login');
    await server.security.store.setDisabled(patient.accountId, null);
    await server.security.revocations.reload();
    await ownProfile().expect(200);
  });

  test('a wrong password on a disabled account gets the usual refusal (no hint that it exists)', async () => {
    const patient = await createAccount(server, 'patient');
    await admin().post(`/admin/accounts/${patient.accountId}/disable`).expect(200);
    expectOutcome(
      await server.anonymous().post('/auth/login').send({ email: patient.email, password: 'not the password at all' }),
      401,
      'login',
    );
  });

  test('an administrator cannot disable their own account', async () => {
    expectOutcome(await admin().post(`/admin/accounts/${adminAccountId}/disable`), 400, 'invalid');
  });
});

describe('resend verification', () => {
  test('mails a new working link to an unconfirmed account; refuses a confirmed one', async () => {
    const email = 'late.confirmer@example.org';
    await server.anonymous().post('/auth/register').send({ email, password: 'my own long passphrase', role: 'doctor' }).expect(202);
    await smtp.nextMessageTo(email);
    const [account] = (await admin().get(`/admin/accounts?email=${email}`).expect(200)).body.accounts;
    expect(account.emailVerified).toBe(false);
    await admin().post(`/admin/accounts/${account.id}/resend-verification`).expect(202);
    const mail = await smtp.nextMessageTo(email);
    const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    await server.anonymous().post('/auth/verify-email').send({ token }).expect(204);
    expectOutcome(await admin().post(`/admin/accounts/${account.id}/resend-verification`), 400, 'invalid');
  });
});
