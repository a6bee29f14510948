import type { Resource } from '@medplum/fhirtypes';
import { replaceIndexRows, type ResourceIndex } from './index-writes';
import type { IndexRows } from './indexing/index-rows';
import type { SqlExecutor } from './sql-executor';

/** A reindex job (http://hl7.org/fhir/R4/searchparameter.html: changed parameters need reindexing). */
export interface ReindexStatus {
  readonly id: string;
  readonly resourceTypes: readonly string[];
  readonly processed: number;
  readonly done: boolean;
}

interface JobRow {
  id: string;
  resource_types: string[];
  cursor_type: string;
  cursor_id: string;
  processed: string | number;
  done: boolean;
}

export type IndexResource = (resource: Resource & { id: string }) => { rows: IndexRows; compartments: string[] };

export const REINDEX_BATCH_SIZE = 200;

export async function enqueueReindex(db: SqlExecutor, resourceTypes: readonly string[]): Promise<ReindexStatus> {
  const { rows } = await db.raw<JobRow>(`INSERT INTO reindex_job (resource_types) VALUES (?::text[]) RETURNING *`, [
    [...new Set(resourceTypes)].sort(),
  ]);
  return toStatus(rows[0]);
}

export async function readReindexJob(db: SqlExecutor, id: string): Promise<ReindexStatus | undefined> {
  const { rows } = await db.raw<JobRow>(`SELECT * FROM reindex_job WHERE id = ?::bigint`, [id]);
  return rows[0] && toStatus(rows[0]);
}

/**
 * Processes one batch of the oldest pending job (or of `jobId`) not claimed by another
 * process, in one transaction: the next resources by (type, id) are locked with the same
 * advisory lock as read-modify-write (so a concurrent update waits and then writes its own
 * rows), re-indexed, and the job's cursor advanced. Returns undefined when nothing is pending.
 */
export async function runReindexBatch(
  db: SqlExecutor,
  indexResource: IndexResource,
  jobId?: string,
  batchSize = REINDEX_BATCH_SIZE,
): Promise<ReindexStatus | undefined> {
  return db.transaction(async (tx) => {
    const claimed = await tx.raw<JobRow>(
      `SELECT * FROM reindex_job WHERE NOT done ${jobId ? 'AND id = ?::bigint' : ''} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      jobId ? [jobId] : [],
    );
    const job = claimed.rows[0];
    if (!job) {
      return undefined;
    }
    const batch = await tx.raw<{ resource_type: string; id: string }>(
      `SELECT resource_type, id FROM resource
       WHERE resource_type = ANY(?::text[]) AND NOT deleted AND (resource_type, id) > (?, ?)
       ORDER BY resource_type, id LIMIT ?`,
      [job.resource_types, job.cursor_type, job.cursor_id, batchSize],
    );
    const keys = batch.rows;
    if (keys.length > 0) {
      await tx.raw(
        `SELECT pg_advisory_xact_lock(hashtextextended('resource:' || t || '/' || i, 0)) FROM unnest(?::text[], ?::text[]) AS u(t, i)`,
        [keys.map((k) => k.resource_type), keys.map((k) => k.id)],
      );
      const current = await tx.raw<{ content: string }>(
        `SELECT content FROM resource WHERE (resource_type, id) IN (SELECT * FROM unnest(?::text[], ?::text[])) AND NOT deleted`,
        [keys.map((k) => k.resource_type), keys.map((k) => k.id)],
      );
      const entries: ResourceIndex[] = current.rows.map((row) => {
        const resource = JSON.parse(row.content) as Resource & { id: string };
        return { resourceType: resource.resourceType, id: resource.id, ...indexResource(resource) };
      });
      await replaceIndexRows(tx, entries);
    }
    const last = keys[keys.length - 1];
    const updated = await tx.raw<JobRow>(
      `UPDATE reindex_job SET cursor_type = ?, cursor_id = ?, processed = processed + ?, done = ?, updated_at = now()
       WHERE id = ? RETURNING *`,
      [last?.resource_type ?? job.cursor_type, last?.id ?? job.cursor_id, keys.length, keys.length < batchSize, job.id],
    );
    return toStatus(updated.rows[0]);
  });
}

function toStatus(row: JobRow): ReindexStatus {
  return { id: String(row.id), resourceTypes: row.resource_types, processed: Number(row.processed), done: row.done };
}
