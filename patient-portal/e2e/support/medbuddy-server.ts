import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The repository root (this file is <portal>/e2e/support/). */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface Account {
  readonly email: string;
  readonly password: string;
}

export interface MedBuddyServer {
  /** `http://127.0.0.1:<port>`: the public URL, the portals are at `/patient/` and `/clinician/`. */
  readonly url: string;
  /** The administrator created at first start. */
  readonly admin: Account;
  /** Registers through `POST /auth/register` and opens the link of the verification e-mail. */
  registerVerified(registration: { role: 'patient' | 'doctor'; givenName: string; familyName: string }): Promise<Account>;
  /** The first link to `path` (e.g. `/auth/verify-email`) in the newest e-mail to `to`, waiting for it to arrive. */
  emailLink(to: string, path: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the real server (`fhir-server/src/main.ts`) as its own process, on a free port, with a
 * fresh data folder (embedded PostgreSQL and mail outbox) that is deleted on stop. It serves
 * the portals' builds from their `dist/` folders. Server output goes to `logFile`.
 */
export async function startMedBuddy(logFile: string): Promise<MedBuddyServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'medbuddy-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const admin = { email: 'admin@medbuddy.test', password: 'e2e-admin-password-1' };
  await mkdir(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPOSITORY_ROOT, 'fhir-server', 'src', 'main.ts')], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      // Every test signs in several times from one IP.
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
      RATE_LIMIT_PER_MINUTE: '100000',
      LOG_REQUESTS: 'false',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  try {
    await waitUntilReady(child, url, logFile);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    admin,
    async registerVerified(registration) {
      const email = `${registration.role}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@medbuddy.test`;
      const password = 'correct horse battery staple';
      const response = await fetch(`${url}/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password, ...registration }),
      });
      if (response.status !== 202) {
        throw new Error(`registration failed: ${response.status} ${await response.text()}`);
      }
      const link = await linkInEmail(path.join(dataDir, 'outbox'), email, '/auth/verify-email');
      const verified = await fetch(link);
      if (!verified.ok) {
        throw new Error(`verification link failed: ${verified.status} ${await verified.text()}`);
      }
      return { email, password };
    },
    emailLink(to, linkPath) {
      return linkInEmail(path.join(dataDir, 'outbox'), to, linkPath);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        child.kill('SIGKILL');
      }
      log.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(child: ChildProcess, url: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the server exited with code ${child.exitCode}; see ${logFile}`);
    }
    try {
      const response = await fetch(`${url}/fhir/.well-known/smart-configuration`);
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server did not start within 180 s; see ${logFile}`);
}

/** The link to `linkPath` in the newest e-mail to `email` in the outbox (quoted-printable decoded). */
async function linkInEmail(outbox: string, email: string, linkPath: string): Promise<string> {
  const pattern = new RegExp(`https?://\\S+${linkPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?token=[A-Za-z0-9_-]+`);
  for (let attempt = 0; attempt < 40; attempt++) {
    const files = (await readdir(outbox).catch(() => [] as string[])).filter((name) => name.endsWith('.eml')).sort();
    for (const file of files.reverse()) {
      const message = (await readFile(path.join(outbox, file), 'utf8')).replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      if (message.includes(email)) {
        const link = pattern.exec(message)?.[0];
        if (link) {
          return link;
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no e-mail to ${email} with a ${linkPath} link in ${outbox}`);
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
