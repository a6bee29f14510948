import type { SqlExecutor } from './sql-executor';

export type ExportStatus = 'in-progress' | 'completed' | 'failed' | 'cancelled';

/** One NDJSON file of an export. */
export interface ExportOutput {
  readonly type: string;
  /** Blob key of the file. */
  readonly key: string;
  readonly count: number;
}

/** A Bulk Data $export job as stored (https://hl7.org/fhir/uv/bulkdata/export.html). */
export interface ExportJob {
  readonly id: string;
  /** PHI-free label of the principal who kicked it off; only they see it. */
  readonly owner: string;
  /** The principal, serialised, so the job runs with their access after a restart too. */
  readonly principal: unknown;
  /** The kick-off parameters (level, types, since, type filters, group, request URL). */
  readonly request: unknown;
  readonly status: ExportStatus;
  readonly progress: string;
  readonly output: readonly ExportOutput[];
  readonly error?: string;
  /** ISO instant: the job's view of the data starts here. */
  readonly transactionTime: string;
}

interface Row {
  id: string;
  owner: string;
  principal: unknown;
  request: unknown;
  status: ExportStatus;
  progress: string;
  output: ExportOutput[];
  error: string | null;
  transaction_time: Date | string;
}

/** The export_job table. */
export class ExportJobStore {
  constructor(private readonly db: SqlExecutor) {}

  /** Inserts a job unless the owner already has `maxActive` in progress (then undefined). */
  async create(job: Pick<ExportJob, 'id' | 'owner' | 'principal' | 'request'>, maxActive: number): Promise<ExportJob | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.raw(`SELECT pg_advisory_xact_lock(hashtext(?))`, [`export:${job.owner}`]);
      const active = await tx.raw<{ n: string | number }>(
        `SELECT count(*) AS n FROM export_job WHERE owner = ? AND status = 'in-progress'`,
        [job.owner],
      );
      if (Number(active.rows[0].n) >= maxActive) {
        return undefined;
      }
      const { rows } = await tx.raw<Row>(
        `INSERT INTO export_job (id, owner, principal, request, status) VALUES (?, ?, ?::jsonb, ?::jsonb, 'in-progress') RETURNING *`,
        [job.id, job.owner, JSON.stringify(job.principal), JSON.stringify(job.request)],
      );
      return toJob(rows[0]);
    });
  }

  async read(id: string): Promise<ExportJob | undefined> {
    const { rows } = await this.db.raw<Row>(`SELECT * FROM export_job WHERE id = ?::uuid`, [id]);
    return rows[0] && toJob(rows[0]);
  }

  async inProgress(): Promise<ExportJob[]> {
    const { rows } = await this.db.raw<Row>(`SELECT * FROM export_job WHERE status = 'in-progress' ORDER BY transaction_time`);
    return rows.map(toJob);
  }

  async setProgress(id: string, progress: string): Promise<void> {
    await this.db.raw(`UPDATE export_job SET progress = ?, updated_at = now() WHERE id = ?::uuid AND status = 'in-progress'`, [
      progress,
      id,
    ]);
  }

  /** Ends a job in progress; false when it had already ended (e.g. cancelled meanwhile). */
  async finish(
    id: string,
    status: Exclude<ExportStatus, 'in-progress'>,
    output: readonly ExportOutput[],
    error?: string,
  ): Promise<boolean> {
    const { rows } = await this.db.raw(
      `UPDATE export_job SET status = ?, output = ?::jsonb, error = ?, updated_at = now() WHERE id = ?::uuid AND status = 'in-progress' RETURNING id`,
      [status, JSON.stringify(output), error ?? null, id],
    );
    return rows.length > 0;
  }

  /** Starts a job again from the beginning (after a restart), with a new transaction time. */
  async restart(id: string): Promise<void> {
    await this.db.raw(
      `UPDATE export_job SET progress = '', output = '[]', transaction_time = now(), updated_at = now() WHERE id = ?::uuid`,
      [id],
    );
  }

  async delete(id: string): Promise<void> {
    await this.db.raw(`DELETE FROM export_job WHERE id = ?::uuid`, [id]);
  }
}

function toJob(row: Row): ExportJob {
  return {
    id: row.id,
    owner: row.owner,
    principal: row.principal,
    request: row.request,
    status: row.status,
    progress: row.progress,
    output: row.output,
    error: row.error ?? undefined,
    transactionTime: new Date(row.transaction_time).toISOString(),
  };
}
