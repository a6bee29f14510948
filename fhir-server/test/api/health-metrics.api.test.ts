import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { expectOutcome } from '../setup/matchers';
import { startSmtpListener, type SmtpListener } from '../setup/smtp-listener';
import { createThrowawayDatabase, testDatabaseUrl } from '../setup/test-database';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Probes and metrics for operators (issue 14): /healthz, /readyz, /metrics, without a token.
 */
let server: TestServer;
let smtp: SmtpListener;

beforeAll(async () => {
  smtp = await startSmtpListener();
  server = await startTestServer({ SMTP_URL: smtp.url });
});
afterAll(async () => {
  await server.close();
  await smtp.close();
});

/** Polls until the readiness status is the one expected (the machine may be slow). */
async function readinessBecomes(agent: () => Promise<{ status: number }>, status: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if ((await agent()).status === status) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`/readyz never answered ${status}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('health probes', () => {
  test('/healthz and /readyz answer without a token; readiness lists its checks', async () => {
    const health = await server.anonymous().get('/healthz').expect(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await server.anonymous().get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', blobs: 'ok', mail: 'ok' } });
  });

  test('readiness fails while the SMTP server configured is unreachable', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const other = await startTestServer({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    try {
      const res = await other.anonymous().get('/readyz').expect(503);
      expect(res.body.checks.database).toBe('ok');
      expect(res.body.checks.mail).toMatch(/^failed/);
    } finally {
      await other.close();
    }
  });
});

test('readiness fails while the blob store is unusable and recovers when it is back', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'medbuddy-readyz-'));
  const other = await startTestServer({ DATA_DIR: dataDir });
  try {
    await other.anonymous().get('/readyz').expect(200);
    await fs.rm(path.join(dataDir, 'blobs'), { recursive: true });
    const down = await other.anonymous().get('/readyz').expect(503);
    expect(down.body.checks).toMatchObject({ database: 'ok', blobs: expect.stringMatching(/^failed/) });
    await fs.mkdir(path.join(dataDir, 'blobs', 'data'), { recursive: true });
    await other.anonymous().get('/readyz').expect(200);
  } finally {
    await other.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});

describe('readiness follows PostgreSQL (issue 14)', () => {
  test('fails while the database is unreachable and recovers when it returns', async () => {
    const database = await createThrowawayDatabase();
    const upstream = new URL(testDatabaseUrl());
    const proxy = new TcpProxy(upstream.hostname, Number(upstream.port || 5432));
    const port = await proxy.open(0);
    const url = new URL(database.url);
    url.port = String(port);
    const app = await startTestServer({ DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '4' });
    try {
      const probe = () => app.anonymous().get('/readyz');
      await readinessBecomes(probe, 200);
      await proxy.close();
      await readinessBecomes(probe, 503);
      const down = await probe();
      expect(down.body.status).toBe('not ready');
      expect(down.body.checks.database).toMatch(/^failed/);
      // The process stays alive meanwhile.
      await app.anonymous().get('/healthz').expect(200);
      await proxy.open(port);
      await readinessBecomes(probe, 200);
      await app.request.get('/fhir/Patient?_count=1').expect(200);
    } finally {
      await app.close();
      await proxy.close();
      await database.drop();
    }
  });

  test('while draining (graceful shutdown), readiness is 503 and requests in flight still finish', async () => {
    const other = await startTestServer();
    try {
      other.drain();
      const res = await other.anonymous().get('/readyz').expect(503);
      expect(res.body.status).toBe('draining');
      await other.request.get('/fhir/metadata').expect(200);
    } finally {
      await other.close();
    }
  });
});

describe('/metrics (Prometheus text format)', () => {
  test('request counts and latency per interaction and resource type; pool gauges; no ids', async () => {
    const created = await server.request
      .post('/fhir/Patient')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Metric' }] }))
      .expect(201);
    const id = JSON.parse(created.text).id as string;
    await server.request.get(`/fhir/Patient/${id}`).expect(200);
    await server.request.get(`/fhir/Observation?subject=Patient/${id}`).expect(200);
    await server.request.get(`/fhir/Patient/does-not-exist`).expect(404);
    const res = await server.anonymous().get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.text;
    expect(text).toMatch(/medbuddy_http_requests_total\{interaction="create",resource_type="Patient",status="2xx"\} 1/);
    expect(text).toMatch(/medbuddy_http_requests_total\{interaction="read",resource_type="Patient",status="2xx"\} 1/);
    expect(text).toMatch(/medbuddy_http_requests_total\{interaction="read",resource_type="Patient",status="4xx"\} 1/);
    expect(text).toMatch(
      /medbuddy_http_request_duration_seconds_bucket\{le="[\d.]+",interaction="search-type",resource_type="Observation",status="2xx"\}/,
    );
    expect(text).toMatch(/medbuddy_db_pool_connections \d+/);
    for (const queue of ['notification', 'change', 'reindex', 'export', 'import']) {
      expect(text).toMatch(new RegExp(`medbuddy_job_queue_depth\\{queue="${queue}"\\} \\d+`));
    }
    expect(text).toMatch(/medbuddy_reminder_lag_seconds \d+/);
    expect(text).toMatch(/medbuddy_process_cpu_seconds_total/);
    expect(text).not.toContain(id);
    expect(text).not.toContain('Metric');
  });
});

test('/metrics: the queue depth and reminder lag gauges follow the queue tables', async () => {
  const sql = new Client({ connectionString: server.databaseUrl });
  await sql.connect();
  try {
    await sql.query(
      `INSERT INTO notification_job (kind, dedupe_key, group_key, payload, due_at, max_attempts)
       VALUES ('metrics-test', 'metrics-test', 'metrics-test', '{}', now() - interval '90 seconds', 1)`,
    );
    const text = (await server.anonymous().get('/metrics').expect(200)).text;
    expect(Number(/medbuddy_job_queue_depth\{queue="notification"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/medbuddy_reminder_lag_seconds ([\d.]+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(90);
    await sql.query(`DELETE FROM notification_job WHERE dedupe_key = 'metrics-test'`);
    const after = (await server.anonymous().get('/metrics').expect(200)).text;
    expect(after).toMatch(/medbuddy_reminder_lag_seconds 0\n/);
  } finally {
    await sql.end();
  }
});

/** A TCP proxy to PostgreSQL that a test can cut (close) and restore (open) at will. */
class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  async open(port: number): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.port, this.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    if (server) {
      await new Promise((resolve) => server.close(resolve));
    }
  }
}

describe('production mode (NODE_ENV=production)', () => {
  test('refuses requests that did not come through the TLS proxy; probes still answer', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const database = await createThrowawayDatabase();
    const url = new URL(database.url);
    url.password = 'a-long-non-default-secret';
    const production = await startTestServer({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://medbuddy.test',
      TRUST_PROXY: 'true',
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      DATABASE_URL: url.toString(),
    });
    try {
      expectOutcome(await production.anonymous().get('/fhir/metadata'), 403, 'forbidden');
      await production.anonymous().get('/fhir/metadata').set('X-Forwarded-Proto', 'https').expect(200);
      await production.anonymous().get('/healthz').expect(200);
      await production.anonymous().get('/readyz').expect(200);
    } finally {
      await production.close();
      await database.drop();
    }
  });
});
