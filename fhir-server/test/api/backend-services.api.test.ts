import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * SMART Backend Services (https://hl7.org/fhir/smart-app-launch/backend-services.html):
 * client_credentials with a private_key_jwt assertion checked against the client's JWKS;
 * and bearer-token tampering refused (RFC 6750, RFC 8725).
 */
let server: TestServer;
let jwksServer: http.Server;
let inlineKey: CryptoKey;
let urlKey: CryptoKey;
const TOKEN_URL = 'http://medbuddy.test/oauth2/token';

beforeAll(async () => {
  server = await startTestServer();
  const inline = await generateKeyPair('RS384');
  inlineKey = inline.privateKey;
  await server.security.clients.registerBackendClient({
    id: 'lab-inline',
    scope: 'system/Observation.rs system/Patient.rs',
    jwks: JSON.stringify({ keys: [{ ...(await exportJWK(inline.publicKey)), kid: 'k1', alg: 'RS384' }] }),
  });
  const byUrl = await generateKeyPair('ES384');
  urlKey = byUrl.privateKey;
  const published = JSON.stringify({ keys: [{ ...(await exportJWK(byUrl.publicKey)), kid: 'k2', alg: 'ES384' }] });
  jwksServer = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(published));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  await server.security.clients.registerBackendClient({
    id: 'ehr-by-url',
    scope: 'system/*.rs',
    jwksUrl: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`,
  });
});
afterAll(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
  await server.close();
});

function assertion(clientId: string, key: CryptoKey, alg: string, kid: string, claims: { aud?: string; exp?: string; jti?: string } = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(claims.aud ?? TOKEN_URL)
    .setExpirationTime(claims.exp ?? '4m')
    .setJti(claims.jti ?? randomUUID())
    .sign(key);
}

function tokenRequest(clientAssertion: string, scope: string) {
  return server.anonymous().post('/oauth2/token').type('form').send({
    grant_type: 'client_credentials',
    scope,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion,
  });
}

describe('client_credentials with private_key_jwt (backend-services.html#obtaining-an-access-token)', () => {
  test('an inline-JWKS client gets a token narrowed to its registered scopes and reads with it', async () => {
    const res = await tokenRequest(
      await assertion('lab-inline', inlineKey, 'RS384', 'k1'),
      'system/Observation.rs system/Condition.rs',
    ).expect(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'system/Observation.rs' });
    expect(res.body.refresh_token).toBeUndefined();
    await server.withToken(res.body.access_token).get('/fhir/Observation').expect(200);
    expectOutcome(await server.withToken(res.body.access_token).get('/fhir/Condition'), 403, 'forbidden');
  });

  test('a client whose JWKS is published at a URL authenticates with its key', async () => {
    const res = await tokenRequest(await assertion('ehr-by-url', urlKey, 'ES384', 'k2'), 'system/*.rs').expect(200);
    await server.withToken(res.body.access_token).get('/fhir/Patient').expect(200);
  });

  test('replayed jti, wrong key, wrong audience, long-lived or unknown-client assertions are invalid_client', async () => {
    const jti = randomUUID();
    await tokenRequest(await assertion('lab-inline', inlineKey, 'RS384', 'k1', { jti }), 'system/Observation.rs').expect(200);
    const cases = [
      await assertion('lab-inline', inlineKey, 'RS384', 'k1', { jti }),
      await assertion('lab-inline', urlKey, 'ES384', 'k1'),
      await assertion('lab-inline', inlineKey, 'RS384', 'k1', { aud: 'https://other.example/token' }),
      await assertion('lab-inline', inlineKey, 'RS384', 'k1', { exp: '1h' }),
      await assertion('nobody', inlineKey, 'RS384', 'k1'),
      'not-a-jwt',
    ];
    for (const [index, clientAssertion] of cases.entries()) {
      const res = await tokenRequest(clientAssertion, 'system/Observation.rs');
      expect([index, res.status, res.body.error]).toEqual([index, 401, 'invalid_client']);
    }
  });

  test('portals cannot use client_credentials, and unknown grant types are refused', async () => {
    const res = await server
      .anonymous()
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: 'patient-portal' });
    expect(res.body.error).toBe('invalid_client');
    const other = await server.anonymous().post('/oauth2/token').type('form').send({ grant_type: 'password' });
    expect([other.status, other.body.error]).toEqual([400, 'unsupported_grant_type']);
  });
});

describe('token tampering is refused with 401 invalid_token (RFC 6750 3.1, RFC 8725)', () => {
  async function expectInvalidToken(token: string) {
    const res = await server.withToken(token).get('/fhir/Observation');
    expectOutcome(res, 401, 'login');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="medbuddy", error="invalid_token"');
  }

  test('alg none, another key, expired, wrong audience, wrong issuer, edited payload', async () => {
    const valid = await server.mintToken({ client_id: 'x', scope: 'system/*.*' });
    const [header, payload, signature] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    await expectInvalidToken(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`);
    const otherKey = (await generateKeyPair('ES256')).privateKey;
    const signWith = (key: CryptoKey, overrides: Record<string, unknown>) =>
      new SignJWT({ ...claims, ...overrides }).setProtectedHeader({ alg: 'ES256' }).sign(key);
    await expectInvalidToken(await signWith(otherKey, {}));
    await expectInvalidToken(`${header}.${b64({ ...claims, scope: 'system/*.* extra' })}.${signature}`);
    const now = Math.floor(Date.now() / 1000);
    await expectInvalidToken(
      await server.security.signer.issueAccessToken({ sub: 'x', client_id: 'x', scope: 'system/*.*' }, -10).then((t) => t.token),
    );
    const signer = server.security.signer as unknown as { privateKey: CryptoKey };
    await expectInvalidToken(await signWith(signer.privateKey, { aud: 'https://other.example/fhir' }));
    await expectInvalidToken(await signWith(signer.privateKey, { iss: 'https://other.example' }));
    await expectInvalidToken(await signWith(signer.privateKey, { exp: now - 1 }));
    await expectInvalidToken('garbage');
    // And the untouched token works.
    await server.withToken(valid).get('/fhir/Observation').expect(200);
  });

  test('a malformed Authorization header is 401', async () => {
    const res = await server.anonymous().get('/fhir/Observation').set('Authorization', 'Basic dXNlcjpwYXNz');
    expectOutcome(res, 401, 'login');
  });
});
