import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { createThrowawayDatabase } from '../test/setup/test-database';
import { startTestServer } from '../test/setup/test-server';

/** The administration CLI against the same configuration as the server (DATABASE_URL, PUBLIC_URL). */
const TSX = path.resolve(__dirname, '../../node_modules/.bin/tsx');

function cli(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(TSX, [path.join(__dirname, 'cli.ts'), ...args], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('create-admin, create-client and token work against the server database; the token is the last line', async () => {
  const database = await createThrowawayDatabase();
  const env = { DATABASE_URL: database.url, PUBLIC_URL: 'http://medbuddy.test' };
  try {
    const admin = cli(env, 'create-admin', '--email', 'ops@example.org', '--password', 'an admin passphrase here');
    expect([admin.status, admin.stdout]).toEqual([0, 'Administrator ops@example.org created\n']);
    const weak = cli(env, 'create-admin', '--email', 'ops2@example.org', '--password', 'admin');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('at least 12 characters');
    const { publicKey } = await generateKeyPair('ES384');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] });
    const client = cli(env, 'create-client', '--id', 'ehr-1', '--jwks', jwks, '--scope', 'system/*.rs');
    expect([client.status, client.stdout]).toEqual([0, 'Backend client ehr-1 registered with scope "system/*.rs"\n']);
    const token = cli(env, 'token', '--scope', 'system/*.*');
    expect(token.status).toBe(0);
    const lines = token.stdout.trim().split('\n');
    const accessToken = lines[lines.length - 1];
    expect(accessToken).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    const server = await startTestServer(env);
    try {
      await server.withToken(accessToken).get('/fhir/Patient').expect(200);
      const login = await server
        .anonymous()
        .post('/auth/login')
        .send({ email: 'ops@example.org', password: 'an admin passphrase here' })
        .expect(200);
      await server.withToken(login.body.access_token).get('/fhir/AuditEvent').expect(200);
    } finally {
      await server.close();
    }
    expect(cli(env, 'token', '--scope', 'user/*.*').status).toBe(1);
    expect(cli(env, 'no-such-command').status).toBe(2);
  } finally {
    await database.drop();
  }
}, 240_000);
