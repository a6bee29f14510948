import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const SERVER_ROOT = path.resolve(__dirname, '..');

export interface ServerOptions {
  readonly databaseUrl: string;
  /** Extra environment for the server (e.g. WEB_CONCURRENCY). */
  readonly env?: Record<string, string>;
  /** Write V8 CPU profiles of the server process(es) into this folder (node --cpu-prof). */
  readonly cpuProfileDir?: string;
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>`, the origin requests go to. */
  readonly origin: string;
  /** The FHIR base path on that origin, e.g. `/fhir`. */
  readonly basePath: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Compiles the server the way `npm start` does (tsc to dist/). */
export function buildServer(): void {
  const result = spawnSync('npm', ['run', 'build'], { cwd: SERVER_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * Starts the real server as a separate process, `node dist/main.js` as `npm start` does, on a
 * free port, and resolves once `GET /fhir/metadata` answers.
 */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...args, 'dist/main.js'], {
    cwd: SERVER_ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      PUBLIC_URL: origin,
      LOG_REQUESTS: 'false',
      // Rate limiting is per principal; the benchmark is one principal at thousands of requests/s.
      RATE_LIMIT_PER_MINUTE: '10000000',
      // The slot horizon job would materialise slots for every generated schedule mid-measurement.
      SLOT_JOB_CRON: 'off',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = keepTail(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const basePath = '/fhir';
  try {
    await waitUntilReady(`${origin}${basePath}/metadata`, exited);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\nServer output:\n${output()}`);
  }
  return {
    origin,
    basePath,
    pid: child.pid ?? 0,
    async stop() {
      child.kill('SIGTERM');
      const code = await Promise.race([exited, delay(15_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') {
        child.kill('SIGKILL');
      }
    },
  };
}

/** Start-up (definitions, migrations, terminology seeding) can take minutes on a busy shared machine. */
const START_TIMEOUT_S = 300;

async function waitUntilReady(url: string, exited: Promise<number | null>): Promise<void> {
  let stopped = false;
  void exited.then(() => (stopped = true));
  const deadline = Date.now() + START_TIMEOUT_S * 1000;
  while (Date.now() < deadline) {
    if (stopped) {
      throw new Error('The server exited during start-up');
    }
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await delay(200);
  }
  throw new Error(`The server did not answer ${url} within ${START_TIMEOUT_S} s`);
}

function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const append = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => tail;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
