import type { Patient } from '@medplum/fhirtypes';
import { openThrowawayDatabase } from '../../test/setup/test-database';
import { FULL_ACCESS } from '../auth/access-context';
import { loadFhirDefinitions } from '../definitions';
import type { FhirRepository } from './fhir-repository';
import { PgRepository } from './pg-repository';
import type { RawOptions, SqlExecutor } from './sql-executor';

/**
 * A repository transaction holds its writes back and stores them together (deferred-writes.ts):
 * one statement for many writes, and every statement of the transaction sees the writes before it.
 */
let database: Awaited<ReturnType<typeof openThrowawayDatabase>>;
let executor: CountingExecutor;
let repo: PgRepository;

/** Passes SQL through, keeping the text of every statement run (in transactions too). */
class CountingExecutor implements SqlExecutor {
  constructor(
    private readonly inner: SqlExecutor,
    readonly statements: string[] = [],
  ) {}

  get inTransaction(): boolean {
    return this.inner.inTransaction;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  raw<Row = any>(sql: string, bindings?: readonly unknown[], options?: RawOptions): Promise<{ rows: Row[] }> {
    this.statements.push(sql);
    return this.inner.raw<Row>(sql, bindings, options);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => fn(new CountingExecutor(tx, this.statements)));
  }
}

beforeAll(async () => {
  loadFhirDefinitions();
  database = await openThrowawayDatabase(2);
  executor = new CountingExecutor(database.db.sql);
  repo = new PgRepository(executor, FULL_ACCESS);
});
afterAll(() => database.close());

function write(repository: FhirRepository, id: string, family: string, versionId = 1): Promise<void> {
  const lastUpdated = new Date().toISOString();
  const resource: Patient & { id: string } = {
    resourceType: 'Patient',
    id,
    meta: { versionId: String(versionId), lastUpdated },
    name: [{ family }],
  };
  return repository.writeVersion({ resource, versionId, lastUpdated, method: versionId === 1 ? 'POST' : 'PUT', deleted: false });
}

/** The ids of the Patients indexed under this family name. */
async function indexedFamily(family: string): Promise<string[]> {
  const { rows } = await database.db.sql.raw<{ id: string }>(
    `SELECT resource_id AS id FROM sp_string WHERE resource_type = 'Patient' AND param = 'family' AND raw = ? ORDER BY 1`,
    [family],
  );
  return rows.map((row) => row.id);
}

const historyInserts = (): number => executor.statements.filter((sql) => sql.includes('INSERT INTO resource_history')).length;

describe('writes held back by a transaction', () => {
  it('stores 20 writes in one statement, each with its history, current row and index rows', async () => {
    const before = historyInserts();
    const ids = Array.from({ length: 20 }, (_, i) => `dw-batch-${String(i).padStart(2, '0')}`);
    await repo.transaction(async (tx) => {
      for (const id of ids) {
        await write(tx, id, 'Batched');
      }
    });
    expect(historyInserts() - before).toBe(1);
    expect(await indexedFamily('Batched')).toEqual(ids);
    const stored = await repo.readMany(ids.map((id) => ({ resourceType: 'Patient', id })));
    expect(stored.map((v) => v.versionId)).toEqual(ids.map(() => 1));
    const history = await repo.history({ resourceType: 'Patient', id: ids[0], count: 10 });
    expect(history.entries.map((v) => v.versionId)).toEqual([1]);
  });

  it('stores a large transaction in statements of 500 writes', async () => {
    const before = historyInserts();
    await repo.transaction(async (tx) => {
      for (let i = 0; i < 501; i++) {
        await write(tx, `dw-large-${i}`, 'Large');
      }
    });
    expect(historyInserts() - before).toBe(2);
    expect(await indexedFamily('Large')).toHaveLength(501);
  });

  it('lets a later read of the same transaction see the writes before it', async () => {
    await repo.transaction(async (tx) => {
      await write(tx, 'dw-seen', 'Seen');
      expect((await tx.readCurrent('Patient', 'dw-seen'))?.versionId).toBe(1);
    });
  });

  it('stores a second write of the same resource after the first: two versions, the index of the second', async () => {
    await repo.transaction(async (tx) => {
      await write(tx, 'dw-twice', 'Before');
      await write(tx, 'dw-twice', 'After', 2);
    });
    const history = await repo.history({ resourceType: 'Patient', id: 'dw-twice', count: 10 });
    expect(history.entries.map((v) => v.versionId).sort()).toEqual([1, 2]);
    expect((await repo.readCurrent('Patient', 'dw-twice'))?.versionId).toBe(2);
    expect(await indexedFamily('Before')).toEqual([]);
    expect(await indexedFamily('After')).toEqual(['dw-twice']);
  });

  it('stores none of them when the transaction fails after them', async () => {
    await expect(
      repo.transaction(async (tx) => {
        await write(tx, 'dw-lost-1', 'Lost');
        await write(tx, 'dw-lost-2', 'Lost');
        throw new Error('the entry after them failed');
      }),
    ).rejects.toThrow('the entry after them failed');
    expect(await repo.readMany([{ resourceType: 'Patient', id: 'dw-lost-1' }])).toEqual([]);
    expect(await indexedFamily('Lost')).toEqual([]);
  });
});
