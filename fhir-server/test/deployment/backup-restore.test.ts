import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { createThrowawayDatabase } from '../setup/test-database';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * The backup scripts (fhir-server/scripts/) round-trip a live database: every resource, every
 * version and the search indexes are there after restoring into a fresh database.
 */
const run = promisify(execFile);
const SCRIPTS = path.resolve(__dirname, '../../scripts');
const FHIR_JSON = 'application/fhir+json';

async function create(server: TestServer, resource: Resource): Promise<Resource & { id: string }> {
  const res = await server.request.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect(res.status).toBe(201);
  return JSON.parse(res.text);
}

test('a dump restored into a fresh database has every resource, version and index', async () => {
  const source = await createThrowawayDatabase();
  const target = await createThrowawayDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbuddy-backup-'));
  const dump = path.join(dir, 'medbuddy.dump');
  const original = await startTestServer({ DATABASE_URL: source.url });
  try {
    const patient = await create(original, { resourceType: 'Patient', name: [{ family: 'Backup' }] });
    const observations = await Promise.all(
      [1, 2, 3].map((n) =>
        create(original, {
          resourceType: 'Observation',
          status: 'final',
          code: { text: `o${n}` },
          subject: { reference: `Patient/${patient.id}` },
        }),
      ),
    );
    await original.request
      .put(`/fhir/Patient/${patient.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...patient, gender: 'female' }))
      .expect(200);
    await original.request.delete(`/fhir/Observation/${observations[2].id}`).expect(204);
    await original.flushAudit();
    const before = await everything(original);

    await run('bash', [path.join(SCRIPTS, 'backup-database.sh'), dump], { env: { ...process.env, DATABASE_URL: source.url } });
    await run('bash', [path.join(SCRIPTS, 'restore-database.sh'), dump], { env: { ...process.env, DATABASE_URL: target.url } });
    // Restoring over data is refused.
    await expect(
      run('bash', [path.join(SCRIPTS, 'restore-database.sh'), dump], { env: { ...process.env, DATABASE_URL: target.url } }),
    ).rejects.toThrow(/not empty/);

    const restored = await startTestServer({ DATABASE_URL: target.url });
    try {
      expect(await everything(restored)).toEqual(before);
      const history = JSON.parse((await restored.request.get(`/fhir/Patient/${patient.id}/_history`).expect(200)).text) as Bundle;
      expect(history.entry?.map((e) => e.response?.etag)).toEqual(['W/"2"', 'W/"1"']);
      await restored.request.get(`/fhir/Observation/${observations[2].id}`).expect(410);
      const found = JSON.parse(
        (await restored.request.get(`/fhir/Observation?subject=Patient/${patient.id}&code:text=o1`).expect(200)).text,
      ) as Bundle;
      expect(found.entry?.map((e) => e.resource?.id)).toEqual([observations[0].id]);
    } finally {
      await restored.close();
    }
  } finally {
    await original.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await source.drop();
    await target.drop();
  }
});

/** Every current resource of the server (system history of all versions, as ids and versions). */
async function everything(server: TestServer): Promise<string[]> {
  const seen: string[] = [];
  let next: string | undefined = '/fhir/_history?_count=1000';
  while (next) {
    const page = JSON.parse((await server.request.get(next).expect(200)).text) as Bundle;
    for (const entry of page.entry ?? []) {
      seen.push(
        `${entry.fullUrl?.split('/fhir/')[1]} ${entry.response?.etag} ${entry.resource ? JSON.stringify(entry.resource) : 'deleted'}`,
      );
    }
    const link = page.link?.find((l) => l.relation === 'next')?.url;
    next = link ? new URL(link).pathname + new URL(link).search : undefined;
  }
  expect(seen.length).toBeGreaterThan(5);
  return seen.sort();
}
