import type { Patient, SearchParameter } from '@medplum/fhirtypes';
import { openThrowawayDatabases } from '../../test/setup/test-database';
import { FULL_ACCESS } from '../auth/access-context';
import { createSearchParameterCatalog } from '../definitions';
import type { Database } from './db';
import { extractIndexRows } from './indexing/extract-index-rows';
import { PgRepository } from './pg-repository';
import { enqueueReindex, runReindexBatch, type IndexResource } from './reindex-jobs';

/**
 * Two server processes on one database (two repositories with their own catalogs here):
 * a SearchParameter written by one is used by the other for searching and for indexing
 * what it writes, without a restart (searchparameter.html).
 */
const COLOR = 'http://medbuddy.org/fhir/StructureDefinition/favorite-color';
const param: SearchParameter & { id: string } = {
  resourceType: 'SearchParameter',
  id: 'color',
  url: 'http://medbuddy.org/fhir/SearchParameter/color',
  name: 'color',
  status: 'active',
  description: 'colour',
  code: 'color',
  base: ['Patient'],
  type: 'token',
  expression: `Patient.extension.where(url='${COLOR}').value`,
};
const patient = (id: string, color: string): Patient & { id: string } => ({
  resourceType: 'Patient',
  id,
  meta: { versionId: '1', lastUpdated: new Date().toISOString() },
  extension: [{ url: COLOR, valueCode: color }],
});
const now = () => new Date().toISOString();

let databases: Awaited<ReturnType<typeof openThrowawayDatabases>>;
let dbA: Database;
let dbB: Database;

beforeAll(async () => {
  databases = await openThrowawayDatabases(2, 2);
  [dbA, dbB] = databases.dbs;
});
afterAll(() => databases.close());

test('a SearchParameter written by one process is used by another for indexing and search', async () => {
  const catalogA = createSearchParameterCatalog();
  const catalogB = createSearchParameterCatalog();
  const repoA = new PgRepository(dbA.sql, FULL_ACCESS, undefined, { catalog: catalogA });
  const repoB = new PgRepository(dbB.sql, FULL_ACCESS, undefined, { catalog: catalogB });
  await repoA.syncSearchParameters();
  await repoB.syncSearchParameters();
  expect(catalogB.get('Patient', 'color')).toBeUndefined();

  await repoA.writeVersion({ resource: param, versionId: 1, lastUpdated: now(), method: 'PUT', deleted: false });
  // B has not looked since: its next write notices the new version counter and indexes with it.
  await repoB.writeVersion({ resource: patient('p1', 'red'), versionId: 1, lastUpdated: now(), method: 'PUT', deleted: false });
  expect(catalogB.get('Patient', 'color')?.expression).toBe(param.expression);
  const rows = await dbA.sql.raw(`SELECT code FROM sp_token WHERE resource_type = 'Patient' AND resource_id = 'p1' AND param = 'color'`);
  expect(rows.rows).toEqual([{ code: 'red' }]);

  const page = await repoA.search({
    resourceTypes: ['Patient'],
    filters: [{ code: 'color', type: 'token', values: [{ value: 'red' }] }],
    sort: [],
    count: 10,
    total: 'none',
  });
  expect(page.entries.map((e) => e.id)).toEqual(['p1']);

  // Deleting it on A: B drops the parameter on its next sync.
  await repoA.writeVersion({
    resource: { resourceType: 'SearchParameter', id: 'color' } as unknown as SearchParameter & { id: string },
    versionId: 2,
    lastUpdated: now(),
    method: 'DELETE',
    deleted: true,
  });
  await repoB.syncSearchParameters();
  expect(catalogB.get('Patient', 'color')).toBeUndefined();
});

test("a search trusts a recent check: another process's new parameter within maxAgeMs, its own at once", async () => {
  const catalogA = createSearchParameterCatalog();
  const catalogB = createSearchParameterCatalog();
  const repoA = new PgRepository(dbA.sql, FULL_ACCESS, undefined, { catalog: catalogA });
  const repoB = new PgRepository(dbB.sql, FULL_ACCESS, undefined, { catalog: catalogB });
  await repoB.syncSearchParameters();
  const shade = { ...param, id: 'shade', url: 'http://medbuddy.org/fhir/SearchParameter/shade', name: 'shade', code: 'shade' };
  await repoA.writeVersion({ resource: shade, versionId: 1, lastUpdated: now(), method: 'PUT', deleted: false });
  // B checked moments ago: within a minute it trusts that check, so it does not see A's write yet...
  await repoB.syncSearchParameters({ maxAgeMs: 60_000 });
  expect(catalogB.get('Patient', 'shade')).toBeUndefined();
  // ...a check without a maximum age asks the database.
  await repoB.syncSearchParameters();
  expect(catalogB.get('Patient', 'shade')).toBeDefined();

  // A's own write of a SearchParameter is in force for its next search, whatever the age allowed.
  await repoA.syncSearchParameters();
  const tint = { ...param, id: 'tint', url: 'http://medbuddy.org/fhir/SearchParameter/tint', name: 'tint', code: 'tint' };
  await repoA.writeVersion({ resource: tint, versionId: 1, lastUpdated: now(), method: 'PUT', deleted: false });
  await repoA.syncSearchParameters({ maxAgeMs: 60_000 });
  expect(catalogA.get('Patient', 'tint')).toBeDefined();
});

test('reindex jobs run in bounded batches, and a batch claimed by one process is skipped by the other', async () => {
  const catalog = createSearchParameterCatalog();
  const repoA = new PgRepository(dbA.sql, FULL_ACCESS, undefined, { catalog });
  for (let i = 0; i < 5; i++) {
    await repoA.writeVersion({ resource: patient(`r${i}`, 'blue'), versionId: 1, lastUpdated: now(), method: 'PUT', deleted: false });
  }
  const index = (resource: Patient & { id: string }) => {
    const rows = extractIndexRows(resource, catalog);
    return { rows, compartments: [] };
  };
  const job = await enqueueReindex(dbA.sql, ['Patient']);
  const first = await runReindexBatch(dbA.sql, index as IndexResource, job.id, 2);
  expect(first).toMatchObject({ processed: 2, done: false });
  await dbA.sql.transaction(async (tx) => {
    await tx.raw('SELECT * FROM reindex_job WHERE id = ? FOR UPDATE', [job.id]);
    // While A holds the job, B gets nothing to do rather than waiting or doing it twice.
    expect(await runReindexBatch(dbB.sql, index as IndexResource, job.id, 2)).toBeUndefined();
  });
  let status = first;
  while (status && !status.done) {
    status = await runReindexBatch(dbB.sql, index as IndexResource, job.id, 2);
  }
  expect(status).toMatchObject({ processed: 6, done: true });
});
