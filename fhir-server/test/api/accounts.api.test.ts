import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectOutcome } from '../setup/matchers';
import { startSmtpListener, type SmtpListener } from '../setup/smtp-listener';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Accounts: registration, e-mail verification and password reset through a real SMTP
 * listener; the plain /auth endpoints return the same tokens as /oauth2/token.
 */
let server: TestServer;
let smtp: SmtpListener;
const PASSWORD = 'my own long passphrase';

beforeAll(async () => {
  smtp = await startSmtpListener();
  server = await startTestServer({ SMTP_URL: smtp.url });
});
afterAll(async () => {
  await server.close();
  await smtp.close();
});

function linkToken(text: string, route: string): string {
  const match = new RegExp(`${route}\\?token=([A-Za-z0-9_-]+)`).exec(text);
  expect(match).not.toBeNull();
  return (match as RegExpExecArray)[1];
}

async function registerVerified(email: string, role: 'patient' | 'doctor' = 'patient') {
  await server.anonymous().post('/auth/register').send({ email, password: PASSWORD, role, familyName: 'Smith' }).expect(202);
  const mail = await smtp.nextMessageTo(email);
  await server
    .anonymous()
    .get(`/auth/verify-email?token=${linkToken(mail.text ?? '', '/auth/verify-email')}`)
    .expect(200);
}

describe('registration and e-mail verification', () => {
  test('register -> verification mail over SMTP -> verify -> login returns SMART tokens', async () => {
    const email = 'alice@example.org';
    await server.anonymous().post('/auth/register').send({ email, password: PASSWORD, role: 'patient', givenName: 'Alice' }).expect(202);
    const mail = await smtp.nextMessageTo(email);
    expect(mail.subject).toContain('confirm your e-mail');
    const token = linkToken(mail.text ?? '', '/auth/verify-email');
    expectOutcome(await server.anonymous().post('/auth/login').send({ email, password: PASSWORD }), 403, 'forbidden');
    await server.anonymous().post('/auth/verify-email').send({ token }).expect(204);
    expectOutcome(await server.anonymous().post('/auth/verify-email').send({ token }), 400, 'invalid');
    const login = await server.anonymous().post('/auth/login').send({ email, password: PASSWORD }).expect(200);
    expect(login.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, refresh_token: expect.any(String) });
    expect(login.body.fhirUser).toMatch(/\/fhir\/Patient\//);
    const me = await server.withToken(login.body.access_token).get(`/fhir/Patient/${login.body.patient}`).expect(200);
    expect(JSON.parse(me.text).name[0].given).toEqual(['Alice']);
    const refreshed = await server.anonymous().post('/auth/refresh').send({ refresh_token: login.body.refresh_token }).expect(200);
    expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);
    await server
      .withToken(refreshed.body.access_token)
      .post('/auth/logout')
      .send({ refresh_token: refreshed.body.refresh_token })
      .expect(204);
    expectOutcome(await server.anonymous().post('/auth/refresh').send({ refresh_token: refreshed.body.refresh_token }), 400, 'invalid');
    expectOutcome(await server.withToken(refreshed.body.access_token).get(`/fhir/Patient/${login.body.patient}`), 401, 'login');
  });

  test('a doctor account gets an inactive Practitioner, hidden from the directory until verified', async () => {
    const email = 'dr.bob@example.org';
    await registerVerified(email, 'doctor');
    const login = await server.anonymous().post('/auth/login').send({ email, password: PASSWORD }).expect(200);
    const profile = login.body.fhirUser.split('/fhir/')[1];
    const own = await server.withToken(login.body.access_token).get(`/fhir/${profile}`).expect(200);
    expect(JSON.parse(own.text).active).toBe(false);
    await server.anonymous().get(`/fhir/${profile}`).expect(404);
  });

  test('registering a taken address looks the same and mails the owner instead', async () => {
    await registerVerified('carol@example.org');
    const again = await server
      .anonymous()
      .post('/auth/register')
      .send({ email: 'carol@example.org', password: 'another long passphrase', role: 'patient' });
    expect(again.status).toBe(202);
    expect((await smtp.nextMessageTo('carol@example.org')).subject).toContain('someone tried to register');
  });

  test('weak passwords and malformed input are 400; login errors do not reveal accounts', async () => {
    expectOutcome(
      await server.anonymous().post('/auth/register').send({ email: 'dave@example.org', password: 'password', role: 'patient' }),
      400,
      'invalid',
    );
    expectOutcome(await server.anonymous().post('/auth/register').send({ email: 'not-an-email', password: PASSWORD }), 400, 'invalid');
    expectOutcome(
      await server.anonymous().post('/auth/register').send({ email: 'e@example.org', password: PASSWORD, role: 'admin' }),
      400,
      'invalid',
    );
    expectOutcome(await server.anonymous().post('/auth/register').set('Content-Type', 'application/json').send('[1,2'), 400, 'invalid');
    await registerVerified('erin@example.org');
    const unknown = await server.anonymous().post('/auth/login').send({ email: 'nobody@example.org', password: PASSWORD });
    const wrong = await server.anonymous().post('/auth/login').send({ email: 'erin@example.org', password: 'not the right one!' });
    expectOutcome(unknown, 401, 'login');
    expectOutcome(wrong, 401, 'login');
    expect(unknown.body.issue).toEqual(wrong.body.issue);
  });
});

describe('forgot and reset password', () => {
  test('reset mail -> new password works, old one does not, the link is single-use, sessions end', async () => {
    const email = 'frank@example.org';
    await registerVerified(email);
    const session = await server.anonymous().post('/auth/login').send({ email, password: PASSWORD }).expect(200);
    await server.anonymous().post('/auth/forgot-password').send({ email }).expect(202);
    await server.anonymous().post('/auth/forgot-password').send({ email: 'nobody@example.org' }).expect(202);
    const mail = await smtp.nextMessageTo(email);
    const token = linkToken(mail.text ?? '', '/auth/reset-password');
    const form = await server.anonymous().get(`/auth/reset-password?token=${token}`).expect(200);
    expect(form.text).toContain(`value="${token}"`);
    expectOutcome(await server.anonymous().post('/auth/reset-password').send({ token, password: 'short' }), 400, 'invalid');
    const newPassword = 'a brand new passphrase';
    await server.anonymous().post('/auth/reset-password').send({ token, password: newPassword }).expect(204);
    expectOutcome(
      await server.anonymous().post('/auth/reset-password').send({ token, password: 'yet another passphrase' }),
      400,
      'invalid',
    );
    expectOutcome(await server.anonymous().post('/auth/login').send({ email, password: PASSWORD }), 401, 'login');
    await server.anonymous().post('/auth/login').send({ email, password: newPassword }).expect(200);
    expectOutcome(await server.anonymous().post('/auth/refresh').send({ refresh_token: session.body.refresh_token }), 400, 'invalid');
    expect(smtp.messages.some((m) => JSON.stringify(m.to).includes('nobody@example.org'))).toBe(false);
  });
});

describe('outbox mailer (embedded default without SMTP_URL)', () => {
  test('messages are written as .eml files under the data directory', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbuddy-outbox-'));
    const { createMailer } = await import('../../src/integrations/mailer');
    const mailer = createMailer({ from: 'MedBuddy <no-reply@medbuddy.test>', outboxDir: path.join(dataDir, 'outbox') });
    await mailer.send({ to: 'gina@example.org', subject: 'Hello', text: 'Body text' });
    await mailer.close();
    const files = fs.readdirSync(path.join(dataDir, 'outbox'));
    expect(files).toHaveLength(1);
    const eml = fs.readFileSync(path.join(dataDir, 'outbox', files[0]), 'utf8');
    expect(eml).toMatch(/^To: gina@example.org$/m);
    expect(eml).toMatch(/^Subject: Hello$/m);
    fs.rmSync(dataDir, { recursive: true });
  });
});

describe('first start (bootstrap administrator)', () => {
  test('ADMIN_EMAIL/ADMIN_PASSWORD create the administrator', async () => {
    const configured = await startTestServer({ ADMIN_EMAIL: 'Root@Example.org', ADMIN_PASSWORD: 'the first admin passphrase' });
    try {
      const login = await configured
        .anonymous()
        .post('/auth/login')
        .send({ email: 'root@example.org', password: 'the first admin passphrase' })
        .expect(200);
      await configured.withToken(login.body.access_token).get('/fhir/AuditEvent').expect(200);
      expectOutcome(await configured.withToken(login.body.access_token).get('/fhir/Observation'), 403, 'forbidden');
    } finally {
      await configured.close();
    }
  });

  test('without them, a one-time link to set the admin password is logged once', async () => {
    const logged: Record<string, unknown>[] = [];
    const capture = (message: string, details?: Record<string, unknown>) => logged.push({ message, ...details });
    const fresh = await startTestServer({}, { info: capture, error: capture });
    try {
      const link = logged.find((l) => typeof l.link === 'string')?.link as string;
      const token = new URL(link).searchParams.get('token') as string;
      await fresh.anonymous().post('/auth/reset-password').send({ token, password: 'my new admin passphrase' }).expect(204);
      await fresh.anonymous().post('/auth/login').send({ email: 'admin@medbuddy.local', password: 'my new admin passphrase' }).expect(200);
      expectOutcome(
        await fresh.anonymous().post('/auth/reset-password').send({ token, password: 'another admin passphrase' }),
        400,
        'invalid',
      );
    } finally {
      await fresh.close();
    }
  });
});
