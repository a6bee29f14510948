import { createThrowawayDatabase, testEngine } from '../../test/setup/test-database';
import { openDatabase, type Database } from './db';
import { runExclusively } from './exclusive-job';

/**
 * Background job ticks (the slot horizon job) on both engines. On PGlite (one connection) a
 * job's work used to run inside the claim's open transaction: its first query waited for that
 * transaction forever, and with it every request and /readyz (the server hung at the next
 * quarter hour). These tests give up after a few seconds instead of hanging.
 */
let db: Database;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (testEngine() === 'pglite') {
    db = await openDatabase({ kind: 'pglite', dataDir: undefined });
  } else {
    const database = await createThrowawayDatabase();
    dropDatabase = database.drop;
    db = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 4 });
  }
  await db.migrate();
});
afterAll(async () => {
  await db?.close();
  await dropDatabase?.();
});

/** `promise`, or a rejection naming what hung after `ms`. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('the work of a tick reads and writes the database, in transactions of its own, while the database keeps answering', async () => {
  const seen: number[] = [];
  const ran = await within(
    10_000,
    'the tick',
    runExclusively(db.sql, 'uses-db', 'tick-1', async () => {
      const { rows } = await db.sql.raw<{ n: number }>('SELECT 1 AS n');
      seen.push(rows[0].n);
      await db.sql.transaction(async (tx) => {
        await tx.raw('SELECT 2');
      });
      await db.ping();
    }),
  );
  expect(ran).toBe(true);
  expect(seen).toEqual([1]);
});

test('a tick runs once; the next tick runs', async () => {
  let runs = 0;
  const work = async () => {
    runs++;
  };
  expect(await runExclusively(db.sql, 'once', 'tick-1', work)).toBe(true);
  expect(await runExclusively(db.sql, 'once', 'tick-1', work)).toBe(false);
  expect(await runExclusively(db.sql, 'once', 'tick-2', work)).toBe(true);
  expect(runs).toBe(2);
});

test('no tick starts while a run of the job is in progress; other jobs do', async () => {
  const release = deferred();
  const started = deferred();
  const long = runExclusively(db.sql, 'long', 'tick-1', async () => {
    started.resolve();
    await release.promise;
  });
  await within(10_000, 'the first run to start', started.promise);
  expect(
    await within(
      10_000,
      'the overlapping tick',
      runExclusively(db.sql, 'long', 'tick-2', async () => undefined),
    ),
  ).toBe(false);
  expect(
    await within(
      10_000,
      'another job',
      runExclusively(db.sql, 'other', 'tick-2', async () => undefined),
    ),
  ).toBe(true);
  release.resolve();
  expect(await long).toBe(true);
  expect(await runExclusively(db.sql, 'long', 'tick-3', async () => undefined)).toBe(true);
});

test('a run whose lease has passed (its process died) no longer holds the job', async () => {
  const never = deferred();
  const started = deferred();
  void runExclusively(
    db.sql,
    'died',
    'tick-1',
    async () => {
      started.resolve();
      await never.promise;
    },
    50,
  );
  await started.promise;
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await runExclusively(db.sql, 'died', 'tick-2', async () => undefined)).toBe(true);
  never.resolve();
});

test('a failed run gives its tick back', async () => {
  await expect(
    runExclusively(db.sql, 'fails', 'tick-1', async () => {
      throw new Error('broken');
    }),
  ).rejects.toThrow('broken');
  expect(await runExclusively(db.sql, 'fails', 'tick-1', async () => undefined)).toBe(true);
});
