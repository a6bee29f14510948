import http from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { createThrowawayDatabase, testEngine } from './test-database';

export interface TestServer {
  /** supertest bound to the running server; paths are absolute (`/fhir/Patient`). */
  readonly request: supertest.Agent;
  /** Public FHIR base URL the server uses in links and Location headers. */
  readonly baseUrl: string;
  readonly engine: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/**
 * Starts the real app over real HTTP on a fresh database: a throwaway PostgreSQL database, or
 * in-memory PGlite when the jest project sets TEST_DB=pglite.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const engine = testEngine();
  const database = engine === 'postgres' ? await createThrowawayDatabase() : undefined;
  const config = loadConfig({
    PUBLIC_URL: 'http://medbuddy.test',
    LOG_REQUESTS: 'false',
    ...(database ? { DATABASE_URL: database.url, DATABASE_POOL_SIZE: '24' } : { DATA_DIR: 'memory' }),
    ...env,
  });
  const built = await buildApp(config, silentLogger);
  const server = http.createServer(built.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    request: supertest.agent(`http://127.0.0.1:${port}`),
    baseUrl: config.fhirBaseUrl,
    engine,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await built.close();
      await database?.drop();
    },
  };
}
