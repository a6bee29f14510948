/* global URL, fetch, setTimeout */
// Checks fhir-server/Dockerfile without a Docker engine (none runs on our build machines):
// runs the RUN steps of its build stages here (except `npm ci`, which CI has done for the whole
// repository), lays out the runtime stage's files as its COPY lines say (in a temporary /app),
// then runs the runtime stage's exact CMD with its ENV in production mode against a throwaway
// PostgreSQL database, waits for its exact HEALTHCHECK command to pass, and checks that the
// FHIR API and both portals answer, and that SIGTERM stops it cleanly.
//   node fhir-server/scripts/check-image.mjs          (IMAGE_CHECK_SKIP_BUILD=1: use existing builds)
import { execSync, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(path.join(root, 'fhir-server', 'package.json'));
const { Client } = require('pg');
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The Dockerfile's stages: name, then instructions with continuation lines joined. */
function parseDockerfile(text) {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const stages = [];
  for (const line of lines.map((l) => l.trim())) {
    if (!line || line.startsWith('#')) {
      continue;
    }
    const [, keyword, rest] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (keyword === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)/i.exec(rest)?.[1], instructions: [] });
    } else if (stages.length > 0 && keyword) {
      stages.at(-1).instructions.push({ keyword, args: rest });
    }
  }
  return stages;
}

function fail(message) {
  console.error(`check-image: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A runtime stage COPY: `[--from=stage] <src> <dest>`, relative to WORKDIR /app. */
function layOut(instruction, app) {
  const parts = instruction.args.split(/\s+/);
  const from = parts[0].startsWith('--from=') ? parts.shift().slice('--from='.length) : undefined;
  const [source, target] = parts;
  // Inside another stage, /app is the repository root (every stage's WORKDIR); else the build context (the root).
  const local = path.join(root, from ? path.relative('/app', source) : source);
  if (!fs.existsSync(local)) {
    fail(`${instruction.keyword} ${instruction.args}: ${path.relative(root, local)} does not exist after the build steps`);
  }
  // As in Docker: a file copied to a folder (`./`, `dir/`) keeps its name there.
  const intoFolder = target.endsWith('/') && !fs.statSync(local, { throwIfNoEntry: false })?.isDirectory();
  const destination = path.resolve(app, target, intoFolder ? path.basename(local) : '');
  fs.mkdirSync(path.dirname(destination), { recursive: true });
  if (path.basename(local) === 'node_modules') {
    // Dependencies are linked, not copied (they are what `npm ci` installed).
    fs.symlinkSync(local, destination, 'dir');
  } else {
    fs.cpSync(local, destination, { recursive: true });
  }
}

async function main() {
  const stages = parseDockerfile(fs.readFileSync(path.join(root, 'fhir-server', 'Dockerfile'), 'utf8'));
  const runtime = stages.at(-1);
  if (!process.env.IMAGE_CHECK_SKIP_BUILD) {
    for (const stage of stages.slice(0, -1)) {
      for (const { keyword, args } of stage.instructions) {
        if (keyword === 'RUN' && !args.startsWith('npm ci')) {
          console.log(`check-image: [${stage.name}] RUN ${args}`);
          execSync(args, { cwd: root, stdio: 'inherit' });
        }
      }
    }
  }
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'medbuddy-image-'));
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'medbuddy-image-data-'));
  const database = `medbuddy_image_check_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  let server;
  try {
    const env = {};
    let command;
    let healthcheck;
    for (const instruction of runtime.instructions) {
      if (instruction.keyword === 'COPY') {
        layOut(instruction, app);
      } else if (instruction.keyword === 'ENV') {
        for (const pair of instruction.args.split(/\s+/)) {
          const [name, value] = pair.split('=');
          env[name] = value;
        }
      } else if (instruction.keyword === 'CMD') {
        command = JSON.parse(instruction.args);
      } else if (instruction.keyword === 'HEALTHCHECK') {
        healthcheck = JSON.parse(instruction.args.slice(instruction.args.indexOf('CMD ') + 4));
      }
    }
    if (!command || !healthcheck) {
      fail('the runtime stage needs a CMD and a HEALTHCHECK');
    }
    const port = String(await freePort());
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    // Production refuses a database URL without a password (CI's PostgreSQL trusts local connections and ignores it).
    url.password = randomBytes(12).toString('hex');
    const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    // What docker-compose.yml gives the container, on this machine's services.
    const runEnv = {
      PATH: process.env.PATH,
      HOME: data,
      ...env,
      PORT: port,
      DATABASE_URL: url.toString(),
      PUBLIC_URL: 'https://medbuddy.example.org',
      TRUST_PROXY: 'true',
      JWT_PRIVATE_KEY: jwtKey,
      DATA_DIR: data,
    };
    console.log(`check-image: starting ${JSON.stringify(command)} in ${app} (NODE_ENV=${runEnv.NODE_ENV})`);
    server = spawn(command[0], command.slice(1), { cwd: app, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    server.stdout.on('data', (chunk) => (log += chunk));
    server.stderr.on('data', (chunk) => (log += chunk));
    const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 180_000;
    for (;;) {
      const probe = spawnSync(healthcheck[0], healthcheck.slice(1), { cwd: app, env: runEnv, timeout: 5000 });
      if (probe.status === 0) {
        break;
      }
      if (server.exitCode !== null || Date.now() > deadline) {
        fail(`the HEALTHCHECK never passed; server output:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const base = `http://127.0.0.1:${port}`;
    const viaProxy = { headers: { 'X-Forwarded-Proto': 'https' } };
    const metadata = await fetch(`${base}/fhir/metadata`, viaProxy);
    if (metadata.status !== 200 || (await metadata.json()).resourceType !== 'CapabilityStatement') {
      fail(`/fhir/metadata answered ${metadata.status}`);
    }
    for (const portal of ['patient', 'clinician']) {
      const page = await fetch(`${base}/${portal}/`, viaProxy);
      const html = await page.text();
      if (page.status !== 200 || !new RegExp(`<base href="/${portal}/"\\s*/?>`).test(html)) {
        fail(`/${portal}/ answered ${page.status} without the portal's index.html`);
      }
    }
    server.kill('SIGTERM');
    const { code } = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve({ code: 'timeout' }), 20_000))]);
    if (code !== 0) {
      fail(`SIGTERM did not stop the server cleanly (exit ${code}); output:\n${log}`);
    }
    console.log('check-image: the runtime stage starts, is healthy, serves the API and both portals, and stops on SIGTERM');
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
    }
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(app, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  }
}

main().catch((error) => {
  if (!process.exitCode) {
    console.error(error);
  }
  process.exitCode = 1;
});
