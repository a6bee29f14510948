import type { SqlExecutor } from './sql-executor';

/** How long a run holds its job unless it finishes first: a run whose process died frees the job after this. */
export const DEFAULT_JOB_LEASE_MS = 30 * 60_000;

/**
 * Runs `work` for one tick of a background job at most once across all server processes on
 * the database, and never while another run of the job is in progress. The (job, tick) row in
 * job_run is the claim: a process that comes late to the tick finds it and does not run it
 * again. Its lease (`lease_until`, cleared by `finished_at`) keeps two runs from overlapping;
 * a run whose process died stops counting once the lease has passed. A run that fails gives its
 * tick back. Returns whether this process ran it.
 *
 * The claim is committed before `work` starts, and `work` runs outside any transaction: it
 * uses the database itself (its own transactions), and a transaction held open around it would
 * keep a connection while it waits for others. On embedded PGlite, the server's one connection,
 * that wait never ends: every query, the job's own first, queued behind the open transaction.
 */
export async function runExclusively(
  db: SqlExecutor,
  job: string,
  tick: string,
  work: () => Promise<void>,
  leaseMs: number = DEFAULT_JOB_LEASE_MS,
): Promise<boolean> {
  const claimed = await db.transaction(async (tx) => {
    // Serialises claims of this job for the moment of the check and the insert only.
    await tx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`job:${job}`]);
    const { rows } = await tx.raw<{ job: string }>(
      `INSERT INTO job_run (job, tick, lease_until)
       SELECT ?, ?, now() + make_interval(secs => ?)
       WHERE NOT EXISTS (SELECT 1 FROM job_run WHERE job = ? AND finished_at IS NULL AND lease_until > now())
       ON CONFLICT DO NOTHING RETURNING job`,
      [job, tick, leaseMs / 1000, job],
    );
    return rows.length === 1;
  });
  if (!claimed) {
    return false;
  }
  try {
    await work();
  } catch (error) {
    // As a rollback of the claim would: the tick is free again for a process that comes later.
    await db.raw('DELETE FROM job_run WHERE job = ? AND tick = ?', [job, tick]);
    throw error;
  }
  await db.raw('UPDATE job_run SET finished_at = now() WHERE job = ? AND tick = ?', [job, tick]);
  return true;
}
