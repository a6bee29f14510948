import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { buildApp, type AppOptions, type NotificationServices, type SecurityServices } from '../../src/app';
import type { Role } from '../../src/auth/principal';
import { loadConfig } from '../../src/config';
import type { AccessTokenSubject } from '../../src/domain/accounts/token-signer';
import { silentLogger, type Logger } from '../../src/logger';
import { createThrowawayDatabase, testEngine } from './test-database';

/** The scope the default `server.request` agent carries: full system access. */
export const SYSTEM_SCOPE = 'system/*.*';

export interface TestServer {
  /**
   * supertest bound to the running server, sending a `system/*.*` bearer token (a backend
   * client with full access); paths are absolute (`/fhir/Patient`).
   */
  readonly request: supertest.Agent;
  /** Public FHIR base URL the server uses in links and Location headers. */
  readonly baseUrl: string;
  /** Public URL of the server (issuer of its tokens). */
  readonly publicUrl: string;
  /** `http://127.0.0.1:<port>`, where the server listens. */
  readonly address: string;
  readonly engine: 'postgres' | 'pglite';
  readonly security: SecurityServices;
  /** The notification outboxes; `tick()` runs one pass (the cron schedule is off in tests unless NOTIFICATIONS_CRON is given). */
  readonly notifications: NotificationServices;
  /** Stores the AuditEvents buffered for reads and searches now. */
  flushAudit(): Promise<void>;
  /** The PostgreSQL database URL (a second server may share it); undefined on PGlite. */
  readonly databaseUrl?: string;
  /** Runs one tick of the slot horizon job now; false when another server ran that tick. */
  runSlotHorizonTick(tick: string, nowMs?: number): Promise<boolean>;
  /** Runs the no-show job once now; the Appointment ids it marked. */
  markNoShows(now?: Date): Promise<string[]>;
  /** A supertest agent without any token. */
  anonymous(): supertest.Agent;
  /** A supertest agent sending this bearer token. */
  withToken(token: string): supertest.Agent;
  /** Signs an access token for any subject (client, or user with role/fhirUser/patient). */
  mintToken(subject: Partial<AccessTokenSubject> & { scope: string }): Promise<string>;
  /** A new Patient resource and a patient user token for it (`user/*.cruds` unless given). */
  actAsPatient(options?: { scope?: string }): Promise<Actor>;
  /** A new Practitioner (active = verified unless `verified: false`) and a doctor token. */
  actAsDoctor(options?: { scope?: string; verified?: boolean }): Promise<Actor>;
  /** An administrator token (`user/*.cruds`). */
  actAsAdmin(options?: { scope?: string }): Promise<Actor>;
  close(): Promise<void>;
}

export interface Actor {
  readonly agent: supertest.Agent;
  readonly token: string;
  /** `Patient/<id>` or `Practitioner/<id>`; undefined for admins. */
  readonly profile?: string;
  /** The id part of profile. */
  readonly id: string;
}

export interface TestServerOptions extends AppOptions {
  /** Run on this existing PostgreSQL database (another instance's), not a throwaway one. */
  readonly databaseUrl?: string;
}

/**
 * Starts the real app over real HTTP on a fresh database: a throwaway PostgreSQL database, or
 * in-memory PGlite when the jest project sets TEST_DB=pglite.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  logger: Logger = silentLogger,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const engine = testEngine();
  // A server given a database URL (option or DATABASE_URL) shares it: several instances on one PostgreSQL.
  const sharedUrl = options.databaseUrl ?? env.DATABASE_URL;
  const database = sharedUrl
    ? { url: sharedUrl, drop: async () => undefined }
    : engine === 'postgres'
      ? await createThrowawayDatabase()
      : undefined;
  const config = loadConfig({
    PUBLIC_URL: 'http://medbuddy.test',
    LOG_REQUESTS: 'false',
    RATE_LIMIT_PER_MINUTE: '1000000',
    // Tests run the slot horizon job themselves (runSlotHorizonTick).
    SLOT_JOB_CRON: 'off',
    NOSHOW_JOB_CRON: 'off',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    // DATA_DIR=memory also puts the mail outbox in the system temp folder, not the repository.
    DATA_DIR: 'memory',
    NOTIFICATIONS_CRON: 'off',
    ...(database ? { DATABASE_URL: database.url, DATABASE_POOL_SIZE: '24' } : {}),
    ...env,
  });
  const built = await buildApp(config, logger, options);
  const server = http.createServer(built.app.callback());
  built.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const security = built.security;
  const withToken = (token: string): supertest.Agent => supertest.agent(address).set('Authorization', `Bearer ${token}`);
  const mintToken = async (subject: Partial<AccessTokenSubject> & { scope: string }): Promise<string> =>
    (await security.signer.issueAccessToken({ sub: subject.client_id ?? randomUUID(), client_id: 'test-client', ...subject })).token;
  const systemToken = await mintToken({ client_id: 'test-system', sub: 'test-system', scope: SYSTEM_SCOPE });
  const request = withToken(systemToken);

  async function createProfile(resource: Record<string, unknown>): Promise<string> {
    const res = await request
      .post(`/fhir/${resource.resourceType}`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(resource));
    if (res.status !== 201) {
      throw new Error(`creating ${resource.resourceType} failed: ${res.status} ${res.text}`);
    }
    return JSON.parse(res.text).id as string;
  }
  async function actor(role: Role, scope: string, profile: string | undefined, patient?: string): Promise<Actor> {
    const token = await mintToken({ role, scope, fhirUser: profile, patient, client_id: `${role}-portal` });
    return { agent: withToken(token), token, profile, id: profile?.split('/')[1] ?? '' };
  }

  return {
    request,
    baseUrl: config.fhirBaseUrl,
    publicUrl: config.publicUrl,
    address,
    engine,
    security,
    notifications: built.notifications,
    flushAudit: () => built.flushAudit(),
    databaseUrl: config.database.kind === 'postgres' ? config.database.url : undefined,
    runSlotHorizonTick: (tick, nowMs) => built.runSlotHorizonTick(tick, nowMs),
    markNoShows: (now) => built.markNoShows(now),
    anonymous: () => supertest.agent(address),
    withToken,
    mintToken,
    async actAsPatient(options = {}) {
      const id = await createProfile({ resourceType: 'Patient', name: [{ family: 'Test', given: ['Patient'] }] });
      return actor('patient', options.scope ?? 'user/*.cruds', `Patient/${id}`);
    },
    async actAsDoctor(options = {}) {
      const id = await createProfile({ resourceType: 'Practitioner', active: options.verified ?? true, name: [{ family: 'Doctor' }] });
      return actor('doctor', options.scope ?? 'user/*.cruds', `Practitioner/${id}`);
    },
    actAsAdmin: (options = {}) => actor('admin', options.scope ?? 'user/*.cruds', undefined),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await built.close();
      await database?.drop();
    },
  };
}
