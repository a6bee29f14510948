import { randomUUID } from 'node:crypto';
import { createAccount } from '../setup/accounts';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type TestServer } from '../setup/test-server';

/** Rate limits, security headers, CORS allow-list, body limits and log hygiene. */
describe('rate limiting (RFC 6585 429)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '5', AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => server.close());

  test('each principal gets its own budget; past it, 429 with Retry-After', async () => {
    const first = server.withToken(await server.mintToken({ client_id: 'client-a', scope: 'system/*.rs' }));
    const second = server.withToken(await server.mintToken({ client_id: 'client-b', scope: 'system/*.rs' }));
    for (let i = 0; i < 5; i++) {
      const res = await first.get('/fhir/Patient').expect(200);
      expect(res.headers['ratelimit-remaining']).toBe(String(4 - i));
    }
    const limited = await first.get('/fhir/Patient');
    expectOutcome(limited, 429, 'throttled');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await second.get('/fhir/Patient').expect(200);
  });

  test('sign-in attempts are limited much more strictly, per IP', async () => {
    const user = await createAccount(server, 'patient');
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await server
            .anonymous()
            .post('/auth/login')
            .send({ email: user.email, password: `wrong guess number ${i}` })
        ).status,
      ).toBe(401);
    }
    expectOutcome(await server.anonymous().post('/auth/login').send({ email: user.email, password: user.password }), 429, 'throttled');
    expect(
      (await server.anonymous().post('/oauth2/token').type('form').send({ grant_type: 'refresh_token', refresh_token: 'x' })).status,
    ).toBe(429);
  });
});

describe('rate limits shared through Redis (REDIS_URL)', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const env = { RATE_LIMIT_PER_MINUTE: '4', REDIS_URL: 'redis://127.0.0.1:6379' };
    a = await startTestServer(env);
    b = await startTestServer(env);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  test('two instances count one client together', async () => {
    const clientId = `shared-${randomUUID()}`;
    const onA = a.withToken(await a.mintToken({ client_id: clientId, scope: 'system/*.rs' }));
    const onB = b.withToken(await b.mintToken({ client_id: clientId, scope: 'system/*.rs' }));
    await onA.get('/fhir/Patient').expect(200);
    await onB.get('/fhir/Patient').expect(200);
    await onA.get('/fhir/Patient').expect(200);
    await onB.get('/fhir/Patient').expect(200);
    expectOutcome(await onA.get('/fhir/Patient'), 429, 'throttled');
    expectOutcome(await onB.get('/fhir/Patient'), 429, 'throttled');
  });
});

describe('headers, CORS, body limits and logs', () => {
  let server: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    const capture = (message: string, details?: Record<string, unknown>) => lines.push(JSON.stringify({ message, ...details }));
    server = await startTestServer({ CORS_ORIGINS: 'https://portal.example.org', LOG_REQUESTS: 'true' }, { info: capture, error: capture });
  });
  afterAll(() => server.close());

  test('security headers are set (helmet): CSP, no framing, no sniffing, HSTS', async () => {
    const res = await server.anonymous().get('/fhir/metadata').expect(200);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  test('CORS answers only allow-listed origins, including preflight', async () => {
    const allowed = await server.anonymous().get('/fhir/metadata').set('Origin', 'https://portal.example.org').expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://portal.example.org');
    expect(allowed.headers['access-control-expose-headers']).toContain('ETag');
    // Bulk export polling and ranged downloads from a browser.
    expect(allowed.headers['access-control-expose-headers']).toContain('X-Progress');
    expect(allowed.headers['access-control-expose-headers']).toContain('Content-Range');
    const other = await server.anonymous().get('/fhir/metadata').set('Origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await server
      .anonymous()
      .options('/fhir/Patient')
      .set('Origin', 'https://portal.example.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
  });

  test('account endpoints refuse oversized bodies (413)', async () => {
    expectOutcome(
      await server
        .anonymous()
        .post('/auth/login')
        .send({ email: 'a@example.org', password: 'x'.repeat(70_000) }),
      413,
      'too-long',
    );
  });

  test('no passwords, tokens or e-mail addresses reach the logs', async () => {
    const user = await createAccount(server, 'patient');
    const login = await server.anonymous().post('/auth/login').send({ email: user.email, password: user.password }).expect(200);
    await server.withToken(login.body.access_token).get(`/fhir/${user.profile}?name=secretname`).expect(200);
    await server.anonymous().post('/auth/login').send({ email: user.email, password: 'a wrong password value' }).expect(401);
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const secret of [
      user.password,
      'a wrong password value',
      login.body.access_token,
      login.body.refresh_token,
      user.email,
      'secretname',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
