import type { Patient } from '@medplum/fhirtypes';
import { openThrowawayDatabase } from '../../test/setup/test-database';
import { accessContextFor, FULL_ACCESS } from '../auth/access-context';
import type { Role } from '../auth/principal';
import { parseScopes } from '../auth/scopes';
import { loadFhirDefinitions } from '../definitions';
import { PgRepository } from './pg-repository';

/**
 * Reads by id issued in the same turn of the event loop share one statement (current-reads.ts):
 * each caller still gets exactly what its own access filter lets through.
 */
let database: Awaited<ReturnType<typeof openThrowawayDatabase>>;
let repo: PgRepository;

beforeAll(async () => {
  loadFhirDefinitions();
  database = await openThrowawayDatabase(2);
  repo = new PgRepository(database.db.sql, FULL_ACCESS);
  for (const id of ['cr-p1', 'cr-p2', 'cr-p3']) {
    const lastUpdated = new Date().toISOString();
    const resource: Patient & { id: string } = { resourceType: 'Patient', id, meta: { versionId: '1', lastUpdated } };
    await repo.writeVersion({ resource, versionId: 1, lastUpdated, method: 'POST', deleted: false });
  }
});
afterAll(() => database.close());

function patientRepo(id: string, role: Role = 'patient'): PgRepository {
  const access = accessContextFor({
    kind: 'user',
    accountId: `account-${id}`,
    role,
    profile: `Patient/${id}`,
    clientId: 'c',
    scopes: parseScopes('user/*.cruds'),
  });
  return repo.withAccess(access) as PgRepository;
}

describe('reads by id in the same tick', () => {
  it('answers each caller with its own filter: a patient reads itself, never the other patient', async () => {
    const p1 = patientRepo('cr-p1');
    const p2 = patientRepo('cr-p2');
    const reads = await Promise.all([
      p1.readCurrent('Patient', 'cr-p1'),
      p1.readCurrent('Patient', 'cr-p2'),
      p2.readCurrent('Patient', 'cr-p1'),
      p2.readCurrent('Patient', 'cr-p2'),
      repo.readCurrent('Patient', 'cr-p3'),
      repo.readCurrent('Patient', 'cr-missing'),
      p1.readCurrent('Patient', 'cr-p1'),
    ]);
    expect(reads.map((r) => r?.id ?? null)).toEqual(['cr-p1', null, null, 'cr-p2', 'cr-p3', null, 'cr-p1']);
    expect(JSON.parse(reads[0]?.content ?? '{}')).toMatchObject({ resourceType: 'Patient', id: 'cr-p1' });
  });

  it('keeps types apart and answers more reads than one statement holds', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => ['cr-p1', 'cr-p2', 'cr-p3'][i % 3]);
    const reads = await Promise.all([...ids.map((id) => repo.readCurrent('Patient', id)), repo.readCurrent('Observation', 'cr-p1')]);
    expect(reads.slice(0, 250).map((r) => r?.id)).toEqual(ids);
    expect(reads[250]).toBeUndefined();
  });

  it('fails only the read at fault when a shared statement fails', async () => {
    // A NUL in an id is refused by PostgreSQL; the statement shared with good reads fails, and
    // the good ones are answered by reading again on their own.
    const reads = await Promise.allSettled([
      repo.readCurrent('Patient', 'cr-p1'),
      repo.readCurrent('Patient', 'bad\u0000id'),
      repo.readCurrent('Patient', 'cr-p2'),
    ]);
    expect(reads.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(reads.map((r) => (r.status === 'fulfilled' ? r.value?.id : null))).toEqual(['cr-p1', null, 'cr-p2']);
  });
});
