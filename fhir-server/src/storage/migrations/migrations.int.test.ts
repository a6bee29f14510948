import knex, { type Knex } from 'knex';
import { createThrowawayDatabase } from '../../../test/setup/test-database';
import { down, up } from './20261226800000_drop-derived-reference-rows';
import { up as reindexLists } from './20261228000000_reindex-list-current-items';
import * as fullTextIndex from './20261228100000_create-full-text-index';
import { up as reindexTypedIdentifiers } from './20261228200000_reindex-typed-identifiers';
import * as indexStatistics from './20261228300000_create-index-statistics';
import { up as reindexCareDates } from './20261228400000_reindex-care-dates';
import * as tokenSystemStatistics from './20261228500000_token-system-statistics';
import { migrationSource } from './index';

/** Migrations that change data or storage settings, on PostgreSQL, applied to a migrated database. */
let database: { url: string; drop(): Promise<void> };
let db: Knex;

beforeAll(async () => {
  database = await createThrowawayDatabase();
  db = knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 1 } });
  await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' });
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

type Row = [resourceType: string, resourceId: string, param: string, targetType: string | null, targetId: string | null, url: string];
const local = (resourceType: string, resourceId: string, param: string, target: string): Row => {
  const [type, id] = target.split('/');
  return [resourceType, resourceId, param, type, id, target];
};

test('20261226900000: resource JSON is compressed with lz4 (the Debian PostgreSQL has it)', async () => {
  const { rows } = await db.raw<{ rows: { table: string; compression: string }[] }>(
    `SELECT attrelid::regclass::text AS table, attcompression AS compression FROM pg_attribute
     WHERE attrelid IN ('resource'::regclass, 'resource_history'::regclass) AND attname = 'content' ORDER BY 1`,
  );
  expect(rows).toEqual([
    { table: 'resource', compression: 'l' },
    { table: 'resource_history', compression: 'l' },
  ]);
});

// The rows a narrowed reference parameter stored before its sources' rows stood for them:
// deleted where a source row holds the same reference, kept otherwise.
test('20261226800000: deletes the derived rows that repeat a source row, and down restores them', async () => {
  const rows: Row[] = [
    local('Observation', 'o1', 'subject', 'Patient/p1'),
    local('Observation', 'o1', 'patient', 'Patient/p1'),
    local('Observation', 'o2', 'subject', 'Group/g1'),
    // A row of another server's patient has no local target: kept.
    ['Observation', 'o3', 'subject', null, null, 'http://elsewhere.org/fhir/Patient/9'],
    ['Observation', 'o3', 'patient', null, null, 'http://elsewhere.org/fhir/Patient/9'],
    local('AuditEvent', 'a1', 'agent', 'Patient/p1'),
    local('AuditEvent', 'a1', 'entity', 'Patient/p2'),
    local('AuditEvent', 'a1', 'patient', 'Patient/p1'),
    local('AuditEvent', 'a1', 'patient', 'Patient/p2'),
    // No source row holds it (stored by other rules): kept.
    local('AuditEvent', 'a2', 'patient', 'Patient/p3'),
  ];
  await db('sp_reference').insert(
    rows.map(([resource_type, resource_id, param, target_type, target_id, url]) => ({
      resource_type,
      resource_id,
      param,
      target_type,
      target_id,
      url,
    })),
  );
  const stored = async () =>
    (
      await db('sp_reference')
        .select('resource_type', 'resource_id', 'param', 'url')
        .orderBy(['resource_type', 'resource_id', 'param', 'url'])
    ).map((r: Record<string, string>) => `${r.resource_type}/${r.resource_id} ${r.param} ${r.url}`);

  await up(db);
  expect(await stored()).toEqual([
    'AuditEvent/a1 agent Patient/p1',
    'AuditEvent/a1 entity Patient/p2',
    'AuditEvent/a2 patient Patient/p3',
    'Observation/o1 subject Patient/p1',
    'Observation/o2 subject Group/g1',
    'Observation/o3 patient http://elsewhere.org/fhir/Patient/9',
    'Observation/o3 subject http://elsewhere.org/fhir/Patient/9',
  ]);

  await down(db);
  expect(await stored()).toEqual([
    'AuditEvent/a1 agent Patient/p1',
    'AuditEvent/a1 entity Patient/p2',
    'AuditEvent/a1 patient Patient/p1',
    'AuditEvent/a1 patient Patient/p2',
    'AuditEvent/a2 patient Patient/p3',
    'Observation/o1 patient Patient/p1',
    'Observation/o1 subject Patient/p1',
    'Observation/o2 subject Group/g1',
    'Observation/o3 patient http://elsewhere.org/fhir/Patient/9',
    'Observation/o3 subject http://elsewhere.org/fhir/Patient/9',
  ]);
});

test('20261227000000: the url index holds references without a local target, and answers the search condition for them', async () => {
  const { rows } = await db.raw<{ rows: { indexdef: string }[] }>(
    `SELECT indexdef FROM pg_indexes WHERE indexname = 'sp_reference_url_idx'`,
  );
  expect(rows[0].indexdef).toContain('WHERE (target_id IS NULL)');
  // The condition search-sql/reference.ts writes for an absolute URL (the table is empty: no scan unless forced).
  const plan = await db.transaction(async (tx) => {
    await tx.raw('SET LOCAL enable_seqscan = off');
    const explained = await tx.raw<{ rows: { 'QUERY PLAN': string }[] }>(
      `EXPLAIN SELECT resource_id FROM sp_reference x
       WHERE x.resource_type = 'Observation' AND x.param = 'subject' AND x.target_id IS NULL AND x.url = 'http://elsewhere.org/fhir/Patient/9'`,
    );
    return explained.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
  expect(plan).toContain('sp_reference_url_idx');
});

test('20261228000000: queues a reindex of the stored Lists, and nothing without any', async () => {
  const pendingListJobs = async () =>
    Number(
      (await db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM reindex_job WHERE NOT done AND resource_types = '{List}'`))
        .rows[0].n,
    );
  await reindexLists(db);
  expect(await pendingListJobs()).toBe(0);
  await db('resource').insert({ resource_type: 'List', id: 'l1', version_id: 1, last_updated: new Date(), content: '{}' });
  await reindexLists(db);
  expect(await pendingListJobs()).toBe(1);
  await db('resource').where({ resource_type: 'List' }).delete();
  await db('reindex_job').delete();
});

test('20261228100000: queues a reindex of the stored types that have full text (not AuditEvent or Binary)', async () => {
  const resource = (resource_type: string, id: string) => ({ resource_type, id, version_id: 1, last_updated: new Date(), content: '{}' });
  await db('resource').insert([
    resource('Patient', 'p1'),
    resource('Observation', 'o1'),
    resource('AuditEvent', 'a1'),
    resource('Binary', 'b1'),
  ]);
  await fullTextIndex.down(db);
  await fullTextIndex.up(db);
  const { rows } = await db.raw<{ rows: { resource_types: string[] }[] }>(`SELECT resource_types FROM reindex_job WHERE NOT done`);
  expect(rows.map((row) => row.resource_types)).toEqual([['Observation', 'Patient']]);
  await db('resource').delete();
  await db('reindex_job').delete();
});

test('20261228200000: queues a reindex of the stored types with a coded identifier type, and nothing without any', async () => {
  const resource = (resource_type: string, id: string, content: object, deleted = false) => ({
    resource_type,
    id,
    version_id: 1,
    last_updated: new Date(),
    deleted,
    content: JSON.stringify(content),
  });
  const typed = { identifier: [{ type: { coding: [{ code: 'MR' }] }, value: '1' }] };
  await db('resource').insert([
    resource('Patient', 'p1', { identifier: [{ system: 'urn:mrn', value: '1' }] }),
    resource('Observation', 'o1', { code: { coding: [{ code: 'x' }] } }),
  ]);
  const pendingJobs = async () =>
    (await db.raw<{ rows: { resource_types: string[] }[] }>(`SELECT resource_types FROM reindex_job WHERE NOT done`)).rows.map(
      (row) => row.resource_types,
    );
  await reindexTypedIdentifiers(db);
  expect(await pendingJobs()).toEqual([]);
  await db('resource').insert([
    resource('Practitioner', 'd1', typed),
    resource('Encounter', 'e1', typed, true),
    resource('AuditEvent', 'a1', typed),
    resource('DocumentReference', 'r1', { masterIdentifier: { type: { coding: [{ code: 'X' }] }, value: '1' } }),
  ]);
  await reindexTypedIdentifiers(db);
  expect(await pendingJobs()).toEqual([['DocumentReference', 'Practitioner']]);
  await db('resource').delete();
  await db('reindex_job').delete();
});

test('20261228300000: the planner knows that a token value implies its type and parameter', async () => {
  // 300 vital-signs Observations among 3,000 token rows: independent, the three conditions would estimate ~15.
  const rows = Array.from({ length: 3000 }, (_, i): Record<string, string | null> =>
    i < 300
      ? { resource_type: 'Observation', resource_id: `o${i}`, param: 'category', system: 'urn:cat', code: 'vital-signs' }
      : i < 1500
        ? { resource_type: 'Observation', resource_id: `o${i}`, param: 'code', system: 'urn:loinc', code: `c${i % 40}` }
        : { resource_type: 'Patient', resource_id: `p${i}`, param: 'gender', system: null, code: i % 2 ? 'male' : 'female' },
  );
  await db.batchInsert('sp_token', rows, 1000);
  const estimate = () => plannedTokenRows(`resource_type = 'Observation' AND param = 'category' AND code = 'vital-signs'`);
  await indexStatistics.down(db);
  await db.raw('ANALYZE sp_token');
  expect(await estimate()).toBeLessThan(100);
  await indexStatistics.up(db);
  expect(await estimate()).toBeGreaterThan(250);
  expect(await estimate()).toBeLessThan(350);
  await db('sp_token').delete();
});

test('20261228400000: queues one reindex of the stored types that timeline-date newly dates, and nothing without any', async () => {
  const resource = (resource_type: string, id: string, deleted = false) => ({
    resource_type,
    id,
    version_id: 1,
    last_updated: new Date(),
    deleted,
    content: '{}',
  });
  const pendingJobs = async () =>
    (await db.raw<{ rows: { resource_types: string[] }[] }>(`SELECT resource_types FROM reindex_job WHERE NOT done`)).rows.map(
      (row) => row.resource_types,
    );
  await db('resource').insert([resource('Patient', 'p1'), resource('Encounter', 'e1'), resource('Procedure', 'x1', true)]);
  await reindexCareDates(db);
  expect(await pendingJobs()).toEqual([]);
  await db('resource').insert([resource('Observation', 'o1'), resource('Observation', 'o2'), resource('Immunization', 'i1')]);
  await reindexCareDates(db);
  expect(await pendingJobs()).toEqual([['Immunization', 'Observation']]);
  await db('resource').delete();
  await db('reindex_job').delete();
});

test('20261228500000: the planner knows how often a code goes with its system', async () => {
  // 300 specialty rows of one system among 3,000: independent, code and system would estimate ~30.
  const rows = Array.from({ length: 3000 }, (_, i): Record<string, string | null> =>
    i < 300
      ? { resource_type: 'PractitionerRole', resource_id: `r${i}`, param: 'specialty', system: 'urn:sct', code: 'cardiology' }
      : i < 1500
        ? { resource_type: 'Observation', resource_id: `o${i}`, param: 'code', system: `urn:s${i % 9}`, code: `c${i % 40}` }
        : { resource_type: 'Patient', resource_id: `p${i}`, param: 'gender', system: null, code: i % 2 ? 'male' : 'female' },
  );
  await db.batchInsert('sp_token', rows, 1000);
  const estimate = () =>
    plannedTokenRows(`resource_type = 'PractitionerRole' AND param = 'specialty' AND code = 'cardiology' AND system = 'urn:sct'`);
  await tokenSystemStatistics.down(db);
  expect(await estimate()).toBeLessThan(100);
  await tokenSystemStatistics.up(db);
  expect(await estimate()).toBeGreaterThan(250);
  expect(await estimate()).toBeLessThan(350);
  await db('sp_token').delete();
});

async function plannedTokenRows(where: string): Promise<number> {
  const { rows: plan } = await db.raw<{ rows: { 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }[] }>(
    `EXPLAIN (FORMAT JSON) SELECT resource_id FROM sp_token WHERE ${where}`,
  );
  return plan[0]['QUERY PLAN'][0].Plan['Plan Rows'];
}
