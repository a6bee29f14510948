import type { SqlExecutor } from './sql-executor';

export type BulkJobKind = 'export' | 'import';
export type BulkJobStatus = 'in-progress' | 'completed' | 'failed' | 'cancelled';

/**
 * A Bulk Data job as stored (https://hl7.org/fhir/uv/bulkdata/export.html, and $import):
 * what was asked, by whom, how far it got and what it wrote. `output` is the kind's own
 * record of its files (export: one per type; import: one per input).
 */
export interface BulkJob<Output = unknown> {
  readonly id: string;
  readonly kind: BulkJobKind;
  /** PHI-free label of the principal who kicked it off; only they see it. */
  readonly owner: string;
  /** The principal, serialised, so the job runs with their access after a restart too. */
  readonly principal: unknown;
  /** The kick-off parameters. */
  readonly request: unknown;
  readonly status: BulkJobStatus;
  readonly progress: string;
  readonly output: readonly Output[];
  readonly error?: string;
  /** ISO instant: the job's view of the data starts here. */
  readonly transactionTime: string;
  /** How many times a process claimed the job (1: it ran once, without a restart). */
  readonly attempts: number;
}

interface Row {
  id: string;
  kind: BulkJobKind;
  owner: string;
  principal: unknown;
  request: unknown;
  status: BulkJobStatus;
  progress: string;
  output: unknown[];
  error: string | null;
  transaction_time: Date | string;
  attempts: number;
}

/** Who holds a job: one process (`lease_owner`) until `lease_until`, renewed while it works. */
export interface JobLease {
  readonly owner: string;
  readonly ms: number;
}

/** The bulk_job table, seen for one kind of job. */
export class BulkJobStore<Output = unknown> {
  constructor(
    private readonly db: SqlExecutor,
    readonly kind: BulkJobKind,
  ) {}

  /**
   * Inserts a job, leased to `lease.owner`, unless the owner already has `maxActive` jobs of
   * this kind in progress (then undefined).
   */
  async create(
    job: Pick<BulkJob, 'id' | 'owner' | 'principal' | 'request'>,
    maxActive: number,
    lease: JobLease,
  ): Promise<BulkJob<Output> | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.raw(`SELECT pg_advisory_xact_lock(hashtext(?))`, [`${this.kind}:${job.owner}`]);
      const active = await tx.raw<{ n: string | number }>(
        `SELECT count(*) AS n FROM bulk_job WHERE kind = ? AND owner = ? AND status = 'in-progress'`,
        [this.kind, job.owner],
      );
      if (Number(active.rows[0].n) >= maxActive) {
        return undefined;
      }
      const { rows } = await tx.raw<Row>(
        `INSERT INTO bulk_job (id, kind, owner, principal, request, status, lease_owner, lease_until, attempts)
         VALUES (?, ?, ?, ?::jsonb, ?::jsonb, 'in-progress', ?, now() + make_interval(secs => ?), 1) RETURNING *`,
        [job.id, this.kind, job.owner, JSON.stringify(job.principal), JSON.stringify(job.request), lease.owner, lease.ms / 1000],
      );
      return toJob<Output>(rows[0]);
    });
  }

  async read(id: string): Promise<BulkJob<Output> | undefined> {
    const { rows } = await this.db.raw<Row>(`SELECT * FROM bulk_job WHERE id = ?::uuid AND kind = ?`, [id, this.kind]);
    return rows[0] && toJob<Output>(rows[0]);
  }

  /**
   * Takes one job in progress whose lease has run out (its process stopped or died), or
   * undefined when there is none. Processes racing for it skip each other's locked rows, so
   * each job goes to exactly one of them.
   */
  async claimNext(lease: JobLease): Promise<BulkJob<Output> | undefined> {
    const { rows } = await this.db.raw<Row>(
      `UPDATE bulk_job SET lease_owner = ?, lease_until = now() + make_interval(secs => ?), attempts = attempts + 1, updated_at = now()
       WHERE id = (
         SELECT id FROM bulk_job
         WHERE kind = ? AND status = 'in-progress' AND (lease_until IS NULL OR lease_until < now())
         ORDER BY transaction_time
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       RETURNING *`,
      [lease.owner, lease.ms / 1000, this.kind],
    );
    return rows[0] && toJob<Output>(rows[0]);
  }

  /** Extends the lease; false when the job is no longer this process's to run (cancelled, ended, taken over). */
  async renew(id: string, lease: JobLease): Promise<boolean> {
    const { rows } = await this.db.raw(
      `UPDATE bulk_job SET lease_until = now() + make_interval(secs => ?)
       WHERE id = ?::uuid AND status = 'in-progress' AND lease_owner = ? RETURNING id`,
      [lease.ms / 1000, id, lease.owner],
    );
    return rows.length > 0;
  }

  /** Gives a job in progress up at once (graceful stop), so another process claims it without waiting. */
  async release(id: string, lease: JobLease): Promise<void> {
    await this.db.raw(`UPDATE bulk_job SET lease_until = NULL WHERE id = ?::uuid AND lease_owner = ? AND status = 'in-progress'`, [
      id,
      lease.owner,
    ]);
  }

  /**
   * Records how far a job got (and, for jobs that resume where they stopped, what it wrote so
   * far); nothing when `lease` is given and the job is no longer its.
   */
  async setProgress(id: string, progress: string, output?: readonly Output[], lease?: JobLease): Promise<void> {
    await this.db.raw(
      `UPDATE bulk_job SET progress = ?, output = COALESCE(?::jsonb, output), updated_at = now()
       WHERE id = ?::uuid AND status = 'in-progress' AND (?::text IS NULL OR lease_owner = ?)`,
      [progress, output === undefined ? null : JSON.stringify(output), id, lease?.owner ?? null, lease?.owner ?? null],
    );
  }

  /**
   * Ends a job in progress; false when it had already ended (e.g. cancelled meanwhile), or when
   * `lease` is given and the job is no longer its (taken over after the lease ran out).
   */
  async finish(
    id: string,
    status: Exclude<BulkJobStatus, 'in-progress'>,
    output: readonly Output[],
    error?: string,
    lease?: JobLease,
  ): Promise<boolean> {
    const { rows } = await this.db.raw(
      `UPDATE bulk_job SET status = ?, output = ?::jsonb, error = ?, lease_until = NULL, updated_at = now()
       WHERE id = ?::uuid AND status = 'in-progress' AND (?::text IS NULL OR lease_owner = ?) RETURNING id`,
      [status, JSON.stringify(output), error ?? null, id, lease?.owner ?? null, lease?.owner ?? null],
    );
    return rows.length > 0;
  }

  /** Starts a job again from the beginning (after a restart), with a new transaction time. */
  async restart(id: string): Promise<void> {
    await this.db.raw(
      `UPDATE bulk_job SET progress = '', output = '[]', transaction_time = now(), updated_at = now() WHERE id = ?::uuid AND status = 'in-progress'`,
      [id],
    );
  }

  async delete(id: string): Promise<void> {
    await this.db.raw(`DELETE FROM bulk_job WHERE id = ?::uuid`, [id]);
  }
}

/** Jobs in progress per kind, for the job-queue gauge of /metrics. */
export async function bulkJobsInProgress(db: SqlExecutor): Promise<Record<BulkJobKind, number>> {
  const { rows } = await db.raw<{ kind: BulkJobKind; n: string | number }>(
    `SELECT kind, count(*) AS n FROM bulk_job WHERE status = 'in-progress' GROUP BY kind`,
  );
  const depth: Record<BulkJobKind, number> = { export: 0, import: 0 };
  for (const row of rows) {
    depth[row.kind] = Number(row.n);
  }
  return depth;
}

function toJob<Output>(row: Row): BulkJob<Output> {
  return {
    id: row.id,
    kind: row.kind,
    owner: row.owner,
    principal: row.principal,
    request: row.request,
    status: row.status,
    progress: row.progress,
    output: row.output as Output[],
    error: row.error ?? undefined,
    transactionTime: new Date(row.transaction_time).toISOString(),
    attempts: Number(row.attempts),
  };
}
