import { createHash, randomBytes } from 'node:crypto';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import supertest from 'supertest';
import { createAccount } from '../setup/accounts';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * SMART App Launch 2.x standalone launch with PKCE, end to end over HTTP
 * (https://hl7.org/fhir/smart-app-launch/app-launch.html; RFC 6749, RFC 7636, RFC 7009, RFC 7662).
 */
let server: TestServer;
const REDIRECT = 'http://medbuddy.test/patient/callback';

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeQuery(overrides: Record<string, string | undefined> = {}, challenge = pkce().challenge) {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: 'patient-portal',
    redirect_uri: REDIRECT,
    scope: 'openid fhirUser launch/patient patient/*.rs offline_access',
    state: 'state-123',
    aud: server.baseUrl,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  return new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

/** GET the sign-in page, then POST the form as a browser would (cookie + hidden fields). */
async function signIn(email: string, password: string, challenge: string, extra: Record<string, string> = {}) {
  const browser = supertest.agent(server.address);
  const page = await browser.get(`/oauth2/authorize?${authorizeQuery({}, challenge)}`).expect(200);
  const fields = Object.fromEntries(
    [...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );
  const response = await browser
    .post('/oauth2/authorize')
    .type('form')
    .send({ ...fields, email, password, decision: 'allow', ...extra });
  return { page, fields, response, browser };
}

function codeFrom(location: string): string {
  const url = new URL(location);
  expect(url.searchParams.get('state')).toBe('state-123');
  return url.searchParams.get('code') as string;
}

describe('discovery (conformance.html)', () => {
  test('smart-configuration lists endpoints, PKCE S256, grant types and capabilities', async () => {
    const res = await server.anonymous().get('/fhir/.well-known/smart-configuration').expect(200);
    expect(res.body).toMatchObject({
      authorization_endpoint: 'http://medbuddy.test/oauth2/authorize',
      token_endpoint: 'http://medbuddy.test/oauth2/token',
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
      capabilities: expect.arrayContaining(['launch-standalone', 'client-public', 'client-confidential-asymmetric', 'permission-v2']),
    });
    const jwks = await server.anonymous().get('/oauth2/jwks').expect(200);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();
  });

  test('the CapabilityStatement carries the SMART security extension', async () => {
    const res = await server.anonymous().get('/fhir/metadata').expect(200);
    const security = (JSON.parse(res.text) as CapabilityStatement).rest?.[0].security;
    expect(security?.service?.[0].coding?.[0].code).toBe('SMART-on-FHIR');
    expect(security?.extension?.[0].extension).toEqual(
      expect.arrayContaining([{ url: 'token', valueUri: 'http://medbuddy.test/oauth2/token' }]),
    );
  });
});

describe('authorization code with PKCE (app-launch.html#step-3)', () => {
  test('authorize -> sign in -> code -> token -> FHIR call -> refresh rotation -> reuse detection -> revoke', async () => {
    const user = await createAccount(server, 'patient');
    const { verifier, challenge } = pkce();
    const { response, page } = await signIn(user.email, user.password, challenge);
    expect(page.headers['set-cookie']?.[0]).toMatch(/mb_csrf=.*httponly/i);
    expect(page.text).toContain('patient/*.rs');
    expect(response.status).toBe(303);
    const code = codeFrom(response.headers.location);

    const token = await server
      .anonymous()
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'patient-portal', code_verifier: verifier })
      .expect(200);
    expect(token.headers['cache-control']).toBe('no-store');
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, patient: user.profile?.split('/')[1] });
    expect(token.body.scope.split(' ').sort()).toEqual(['fhirUser', 'launch/patient', 'offline_access', 'openid', 'patient/*.rs']);
    expect(token.body.id_token).toBeDefined();

    await server.withToken(token.body.access_token).get(`/fhir/${user.profile}`).expect(200);
    await server.withToken(token.body.access_token).get('/fhir/Observation').expect(200);
    // patient/*.rs: no writes.
    expect(
      (await server.withToken(token.body.access_token).post('/fhir/Observation').set('Content-Type', 'application/fhir+json').send('{}'))
        .status,
    ).toBe(403);

    // The code is single-use.
    const again = await server
      .anonymous()
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'patient-portal', code_verifier: verifier });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');

    const rotated = await server
      .anonymous()
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: token.body.refresh_token, client_id: 'patient-portal' })
      .expect(200);
    expect(rotated.body.refresh_token).not.toBe(token.body.refresh_token);
    await server.withToken(rotated.body.access_token).get(`/fhir/${user.profile}`).expect(200);

    // Replaying the rotated-away token is theft: the whole family is revoked.
    const reuse = await server
      .anonymous()
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: token.body.refresh_token, client_id: 'patient-portal' });
    expect(reuse.body.error).toBe('invalid_grant');
    const afterReuse = await server
      .anonymous()
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token, client_id: 'patient-portal' });
    expect(afterReuse.body.error).toBe('invalid_grant');

    // Revocation (RFC 7009) of the access token; introspection (RFC 7662) sees it.
    const active = await server.request.post('/oauth2/introspect').type('form').send({ token: rotated.body.access_token }).expect(200);
    expect(active.body).toMatchObject({ active: true, client_id: 'patient-portal', sub: user.accountId });
    await server.anonymous().post('/oauth2/revoke').type('form').send({ token: rotated.body.access_token }).expect(200);
    const revoked = await server.withToken(rotated.body.access_token).get(`/fhir/${user.profile}`);
    expect(revoked.status).toBe(401);
    expect(revoked.headers['www-authenticate']).toContain('invalid_token');
    const inactive = await server.request.post('/oauth2/introspect').type('form').send({ token: rotated.body.access_token }).expect(200);
    expect(inactive.body).toEqual({ active: false });
  });

  test('a wrong code_verifier, another redirect URI or another client cannot redeem the code', async () => {
    const user = await createAccount(server, 'patient');
    const { verifier, challenge } = pkce();
    for (const [field, value] of [
      ['code_verifier', pkce().verifier],
      ['redirect_uri', 'http://medbuddy.test/patient/other'],
      ['client_id', 'clinician-portal'],
    ]) {
      const { response } = await signIn(user.email, user.password, challenge);
      const code = codeFrom(response.headers.location);
      const res = await server
        .anonymous()
        .post('/oauth2/token')
        .type('form')
        .send({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          client_id: 'patient-portal',
          code_verifier: verifier,
          [field]: value,
        });
      expect([field, res.status, res.body.error]).toEqual([field, 400, 'invalid_grant']);
    }
  });

  test('PKCE S256, state and the right aud are required; errors return to the app with state', async () => {
    for (const overrides of [
      { code_challenge: undefined, code_challenge_method: undefined },
      { code_challenge_method: 'plain' },
      { aud: 'https://evil.example/fhir' },
      { response_type: 'token' },
    ]) {
      const res = await server.anonymous().get(`/oauth2/authorize?${authorizeQuery(overrides)}`);
      expect(res.status).toBe(303);
      const url = new URL(res.headers.location);
      expect(url.origin + url.pathname).toBe(REDIRECT);
      expect(url.searchParams.get('error')).toMatch(/invalid_request|unsupported_response_type/);
      expect(url.searchParams.get('code')).toBeNull();
    }
  });

  test('an unknown client or unregistered redirect URI is never redirected to (RFC 6749 4.1.2.1)', async () => {
    for (const overrides of [
      { redirect_uri: 'https://evil.example/patient/' },
      { client_id: 'nobody' },
      { redirect_uri: 'http://medbuddy.test/patient/../admin' },
    ]) {
      const res = await server.anonymous().get(`/oauth2/authorize?${authorizeQuery(overrides)}`);
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
  });

  test('CSRF: a sign-in form posted without the cookie or with another token is refused', async () => {
    const user = await createAccount(server, 'patient');
    const { fields } = await signIn(user.email, user.password, pkce().challenge);
    const forged = await server
      .anonymous()
      .post('/oauth2/authorize')
      .type('form')
      .send({ ...fields, email: user.email, password: user.password, decision: 'allow' });
    expect(forged.status).toBe(403);
    expect(forged.headers.location).toBeUndefined();
    const browser = supertest.agent(server.address);
    await browser.get(`/oauth2/authorize?${authorizeQuery()}`).expect(200);
    const wrongToken = await browser
      .post('/oauth2/authorize')
      .type('form')
      .send({ ...fields, csrf_token: 'x'.repeat(43), email: user.email, password: user.password, decision: 'allow' });
    expect(wrongToken.status).toBe(403);
  });

  test('wrong passwords get one generic answer, and the account locks after five (brute force)', async () => {
    const user = await createAccount(server, 'patient');
    const challenge = pkce().challenge;
    const unknown = await signIn('nobody@example.org', 'whatever it is here', challenge);
    expect(unknown.response.status).toBe(401);
    const messages = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { response } = await signIn(user.email, `wrong password ${i}!!`, challenge);
      expect(response.status).toBe(401);
      messages.add(/role="alert">([^<]+)</.exec(response.text)?.[1] ?? '');
    }
    messages.add(/role="alert">([^<]+)</.exec(unknown.response.text)?.[1] ?? '');
    expect(messages.size).toBe(1);
    const locked = await signIn(user.email, user.password, challenge);
    expect(locked.response.status).toBe(401);
  });

  test('a clinician launches with a patient only within a care relationship (launch/patient)', async () => {
    const doctor = await createAccount(server, 'doctor');
    const related = await createAccount(server, 'patient');
    const stranger = await createAccount(server, 'patient');
    await server.request
      .post('/fhir/Encounter')
      .set('Content-Type', 'application/fhir+json')
      .send(
        JSON.stringify({
          resourceType: 'Encounter',
          status: 'finished',
          class: { code: 'VR' },
          subject: { reference: related.profile },
          participant: [{ individual: { reference: doctor.profile } }],
        }),
      )
      .expect(201);
    const refused = await signIn(doctor.email, doctor.password, pkce().challenge, { patient: stranger.profile?.split('/')[1] as string });
    expect(refused.response.status).toBe(403);
    const { verifier, challenge } = pkce();
    const allowed = await signIn(doctor.email, doctor.password, challenge, { patient: related.profile?.split('/')[1] as string });
    const token = await server
      .anonymous()
      .post('/oauth2/token')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code: codeFrom(allowed.response.headers.location),
        redirect_uri: REDIRECT,
        client_id: 'patient-portal',
        code_verifier: verifier,
      })
      .expect(200);
    expect(token.body.patient).toBe(related.profile?.split('/')[1]);
    await server.withToken(token.body.access_token).get(`/fhir/${related.profile}`).expect(200);
  });
});
