import type { SqlExecutor } from './sql-executor';

/** The background queues in the database, for /metrics. */
export interface QueueStats {
  /** Waiting work per queue: notification jobs pending, changes not yet planned, reindex jobs, bulk jobs in progress. */
  readonly depth: Readonly<Record<'notification' | 'change' | 'reindex' | 'export' | 'import', number>>;
  /** Seconds the most overdue pending notification (reminders among them) is late; 0 when none is due. */
  readonly reminderLagSeconds: number;
}

/** One statement over the queue tables (each count reads a partial index of waiting rows). */
export async function queueStats(db: SqlExecutor): Promise<QueueStats> {
  const { rows } = await db.raw<Record<string, string | number | null>>(
    `SELECT
       (SELECT count(*) FROM notification_job WHERE status = 'pending') AS notification,
       (SELECT count(*) FROM resource_change) AS change,
       (SELECT count(*) FROM reindex_job WHERE NOT done) AS reindex,
       (SELECT count(*) FROM bulk_job WHERE status = 'in-progress' AND kind = 'export') AS export,
       (SELECT count(*) FROM bulk_job WHERE status = 'in-progress' AND kind = 'import') AS import,
       (SELECT EXTRACT(EPOCH FROM now() - min(due_at)) FROM notification_job WHERE status = 'pending' AND due_at <= now()) AS lag`,
  );
  const row = rows[0];
  return {
    depth: {
      notification: Number(row.notification),
      change: Number(row.change),
      reindex: Number(row.reindex),
      export: Number(row.export),
      import: Number(row.import),
    },
    reminderLagSeconds: Math.max(0, Number(row.lag ?? 0)),
  };
}
