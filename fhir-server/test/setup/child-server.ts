import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { createThrowawayDatabase } from './test-database';
import { startTestServer, type TestServer } from './test-server';

/**
 * The server as production runs it (`src/main.ts` in its own process, signals and all) on a
 * throwaway PostgreSQL database, next to an in-process app on the same database and signing
 * key that migrates it, mints tokens and checks what was stored.
 */
export interface ChildServer {
  readonly origin: string;
  readonly process: ChildProcess;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  readonly checker: TestServer;
  /** Kills the child if it still runs, closes the checker and drops the database. */
  close(): Promise<void>;
}

export async function startChildServer(extraEnv: Record<string, string> = {}): Promise<ChildServer> {
  const database = await createThrowawayDatabase();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const env = { DATABASE_URL: database.url, PUBLIC_URL: origin, JWT_PRIVATE_KEY: key };
  const checker = await startTestServer(env);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      LOG_REQUESTS: 'false',
      SERVE_PORTALS: 'false',
      RATE_LIMIT_PER_MINUTE: '10000000',
      ...extraEnv,
    },
    stdio: process.env.CHILD_SERVER_LOGS ? 'inherit' : 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const close = async () => {
    child.kill('SIGKILL');
    await checker.close();
    await database.drop();
  };
  try {
    await untilReady(`${origin}/readyz`, child);
  } catch (error) {
    await close();
    throw error;
  }
  return { origin, process: child, exited, checker, close };
}

async function untilReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the server exited with ${child.exitCode}`);
    }
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the server did not become ready');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
