import { PGlite } from '@electric-sql/pglite';
import { PgliteExecutor } from './pglite-executor';

/**
 * A statement sent to PGlite's executor from inside one of its open transactions waits for that
 * transaction to end (one connection); awaited there, it never does. The listener names it.
 */
let pglite: PGlite;
beforeAll(async () => {
  pglite = await PGlite.create();
});
afterAll(() => pglite.close());

test('a statement sent past the open transaction it runs in is reported with its stack; statements in the transaction and after it are not', async () => {
  const nested: { sql: string; stack: string }[] = [];
  const db = new PgliteExecutor(pglite, (details) => nested.push(details));
  let outside: Promise<unknown> | undefined;
  await db.transaction(async (tx) => {
    await tx.raw('SELECT 1');
    await tx.transaction((inner) => inner.raw('SELECT 2'));
    // Not awaited here: it runs once the transaction has ended.
    outside = db.raw('SELECT 3 AS n');
  });
  expect(((await outside) as { rows: { n: number }[] }).rows).toEqual([{ n: 3 }]);
  await db.raw('SELECT 4');
  expect(nested.map((n) => n.sql)).toEqual(['SELECT 3 AS n']);
  expect(nested[0].stack).toContain('pglite-executor.test.ts');
});

test('work started inside a transaction that runs on after it has ended is not reported', async () => {
  const nested: unknown[] = [];
  const db = new PgliteExecutor(pglite, (details) => nested.push(details));
  let later: Promise<unknown> | undefined;
  await db.transaction(async () => {
    later = new Promise((resolve) => setTimeout(resolve, 20)).then(() => db.raw('SELECT 1'));
  });
  await later;
  expect(nested).toEqual([]);
});
