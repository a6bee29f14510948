import type { SqlExecutor } from './sql-executor';

/**
 * Runs `work` for one tick of a background job at most once across all server processes on
 * the database: a transaction-scoped advisory lock keeps two runs from overlapping, and the
 * (job, tick) row in job_run keeps a process that comes late to the tick from running it again.
 * Returns whether this process ran it.
 */
export async function runExclusively(db: SqlExecutor, job: string, tick: string, work: () => Promise<void>): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.raw<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0)) AS locked', [
      `job:${job}`,
    ]);
    if (!rows[0].locked) {
      return false;
    }
    const claimed = await tx.raw('INSERT INTO job_run (job, tick) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING job', [job, tick]);
    if (claimed.rows.length === 0) {
      return false;
    }
    await work();
    return true;
  });
}
