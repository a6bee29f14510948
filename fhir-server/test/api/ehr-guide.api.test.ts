import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startHookListener, type HookListener } from '../setup/hook-listener';
import { createThrowawayDatabase } from '../setup/test-database';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Runs every shell command of docs/ehr-integration.md, in order, in one bash, against a real
 * server: key generation, client registration, token, search, polling, bulk export and import. Two
 * stand-ins only: `npm run cli --` runs the CLI from source (tsx) instead of building it first,
 * and curl's own config (`connect-to`) sends the server's public host to the test server's port.
 */
const REPOSITORY = path.resolve(__dirname, '../../..');
const TSX = path.join(REPOSITORY, 'node_modules/.bin/tsx');
let database: { url: string; drop(): Promise<void> };
let server: TestServer;
let workDir: string;
let hooks: HookListener;

beforeAll(async () => {
  database = await createThrowawayDatabase();
  server = await startTestServer({ DATABASE_URL: database.url });
  hooks = await startHookListener();
  const patient = await server.actAsPatient();
  await server.request
    .post('/fhir/Observation')
    .set('Content-Type', 'application/fhir+json')
    .send(
      JSON.stringify({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
        subject: { reference: patient.profile },
      }),
    )
    .expect(201);
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'medbuddy-ehr-guide-'));
  await fs.symlink(path.join(REPOSITORY, 'docs'), path.join(workDir, 'docs'));
  const bin = path.join(workDir, 'bin');
  await fs.mkdir(bin);
  await fs.writeFile(
    path.join(bin, 'npm'),
    `#!/bin/sh\n[ "$1 $2 $3" = "run cli --" ] || { echo "unexpected npm $*" >&2; exit 2; }\nshift 3\nexec "${TSX}" "${path.join(REPOSITORY, 'fhir-server/src/cli.ts')}" "$@"\n`,
    { mode: 0o755 },
  );
  const port = new URL(server.address).port;
  await fs.writeFile(path.join(workDir, '.curlrc'), `connect-to = medbuddy.test:80:127.0.0.1:${port}\n`);
});
afterAll(async () => {
  await hooks?.close();
  await server?.close();
  await database?.drop();
  await fs.rm(workDir, { recursive: true, force: true });
});

async function guideCommands(): Promise<string[]> {
  const text = await fs.readFile(path.join(REPOSITORY, 'docs/ehr-integration.md'), 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

test('every command of the EHR onboarding guide works, ending with the export files on disk', async () => {
  const blocks = await guideCommands();
  expect(blocks.length).toBeGreaterThanOrEqual(8);
  const script = ['set -euo pipefail', ...blocks].join('\n');
  // Asynchronous: the server answering the commands runs in this process, and so do its
  // notification passes (the test server runs them only when told).
  const passes = setInterval(() => void server.notifications.tick(), 200);
  const result = await run(script, {
    cwd: workDir,
    env: {
      PATH: `${path.join(workDir, 'bin')}:${process.env.PATH}`,
      HOME: workDir,
      CURL_HOME: workDir,
      MEDBUDDY: server.publicUrl,
      HOOK_URL: `${hooks.url}/ehr`,
      DATABASE_URL: database.url,
      PUBLIC_URL: server.publicUrl,
      NODE_OPTIONS: '',
    },
  });
  clearInterval(passes);
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  expect(result.stdout).toContain('Backend client my-ehr registered');
  // The subscription of step 4 is active: a new heart rate reaches the EHR's endpoint.
  const before = hooks.callsTo('/ehr').length;
  const heartRate = await server.request
    .post('/fhir/Observation')
    .set('Content-Type', 'application/fhir+json')
    .send(
      JSON.stringify({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] } }),
    )
    .expect(201);
  await server.notifications.tick();
  await server.notifications.tick();
  const delivered = hooks.callsTo('/ehr').slice(before);
  expect(delivered.map((call) => JSON.parse(call.body).id)).toContain(heartRate.body.id);
  const patients = (await fs.readFile(path.join(workDir, 'patient.ndjson'), 'utf8')).trim().split('\n');
  expect(patients.map((line) => JSON.parse(line).resourceType)).toContain('Patient');
  const observations = (await fs.readFile(path.join(workDir, 'observation.ndjson'), 'utf8')).trim().split('\n');
  expect(observations).toHaveLength(1);
  // The export imported again: the same Observation, no refused line.
  expect(result.stdout).toContain('1 imported, 0 error files');
  // Step 7: the result stored once, then corrected by the EHR's identifier.
  expect(result.stdout).toContain('result 4711 is final, version 2');
  // ... and tagged with $meta-add, which a search by _tag finds.
  expect(result.stdout).toContain('1 tagged from the lab');
}, 180_000);

function run(
  script: string,
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
