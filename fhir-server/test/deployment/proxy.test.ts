import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * The production proxy's configuration (the repository's Caddyfile, used by
 * docker-compose.prod.yml) run by Debian's Caddy in front of a real server: FHIR JSON comes back
 * compressed, documents byte for byte, with their ranges.
 */
const CADDYFILE = path.resolve(__dirname, '../../../Caddyfile');
let proxyPort: number;

let server: TestServer;
let patient: Actor;
let caddy: ChildProcess;
let home: string;

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'medbuddy-caddy-'));
  proxyPort = await freePort();
  server = await startTestServer({ DATA_DIR: home });
  patient = await server.actAsPatient();
  caddy = spawn('caddy', ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_DATA_HOME: home,
      XDG_CONFIG_HOME: home,
      CADDY_ADMIN: 'off',
      MEDBUDDY_DOMAIN: `http://127.0.0.1:${proxyPort}`,
      MEDBUDDY_UPSTREAM: new URL(server.address).host,
    },
    stdio: 'ignore',
  });
  for (const deadline = Date.now() + 15_000; ;) {
    if ((await get('/fhir/metadata', {}).catch(() => undefined))?.status === 200) {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(`Caddy did not answer on port ${proxyPort}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});
afterAll(async () => {
  caddy?.kill();
  await server?.close();
  await fs.rm(home, { recursive: true, force: true });
});

/** A port nothing listens on now (Caddy's site address must name one). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface Fetched {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET through the proxy, with the body as it came over the wire (not decoded). */
function get(pathname: string, headers: Record<string, string>): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, path: pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('FHIR JSON is compressed for clients that accept it, and decodes to what the server sent', async () => {
  const direct = await server.request.get('/fhir/metadata').expect(200);
  const compressed = await get('/fhir/metadata', { 'Accept-Encoding': 'gzip' });
  expect(compressed.status).toBe(200);
  expect(compressed.headers['content-encoding']).toBe('gzip');
  expect(compressed.headers['content-type']).toContain('application/fhir+json');
  expect(compressed.body.length).toBeLessThan(direct.text.length / 5);
  const statement = JSON.parse(gunzipSync(compressed.body).toString('utf8'));
  expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });

  const plain = await get('/fhir/metadata', {});
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(JSON.parse(plain.body.toString('utf8')).resourceType).toBe('CapabilityStatement');
});

test('documents pass uncompressed, whole and by byte range', async () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(4000, 'a')]);
  const created = await patient.agent.post('/fhir/Binary').set('Content-Type', 'application/pdf').send(pdf).expect(201);
  const id = JSON.parse(created.text).id as string;
  const auth = { Authorization: `Bearer ${patient.token}`, 'Accept-Encoding': 'gzip' };

  const whole = await get(`/fhir/Binary/${id}`, auth);
  expect(whole.status).toBe(200);
  expect(whole.headers['content-encoding']).toBeUndefined();
  expect(Buffer.compare(whole.body, pdf)).toBe(0);

  const part = await get(`/fhir/Binary/${id}`, { ...auth, Range: 'bytes=0-3' });
  expect(part.status).toBe(206);
  expect(part.headers['content-range']).toBe(`bytes 0-3/${pdf.length}`);
  expect(part.body.toString('latin1')).toBe('%PDF');
});
