import type { Resource } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../src/definitions';
import { stampMeta } from '../src/fhir/interactions/stored-resource';
import { auditEventRows, auditInsertCtes, type StorableAuditEvent } from '../src/storage/audit-sql';
import { openDatabase } from '../src/storage/db';
import { PgRepository } from '../src/storage/pg-repository';
import type { SqlExecutor } from '../src/storage/sql-executor';

export interface LoadProgress {
  readonly written: number;
  readonly elapsedMs: number;
}

export interface StorageLoadOptions {
  /** Parallel transactions (connections). */
  readonly streams?: number;
  /** Resources per transaction. */
  readonly batchSize?: number;
  readonly onProgress?: (progress: LoadProgress) => void;
}

/**
 * Writes resources through the storage layer (PgRepository.writeVersion, which extracts and
 * stores the search index rows exactly as the server does), in batched transactions on a few
 * parallel connections: the fast way to load benchmark volumes. Migrates the database first.
 * The data ends up as if restored from a backup: the notification outbox is emptied, or the
 * server under test would spend the benchmark planning notifications for every loaded resource.
 */
export function loadThroughStorage(
  databaseUrl: string,
  resources: Iterable<Resource & { id: string }>,
  options: StorageLoadOptions = {},
): Promise<number> {
  const emptyOutbox = (sql: SqlExecutor) => sql.raw('TRUNCATE resource_change');
  return loadInBatches(databaseUrl, resources, options, emptyOutbox, async (repo, _sql, batch) => {
    const lastUpdated = new Date().toISOString();
    await repo.transaction(async (tx) => {
      for (const resource of batch) {
        await tx.writeVersion({
          resource: stampMeta(resource, resource.id, 1, lastUpdated),
          versionId: 1,
          lastUpdated,
          method: 'POST',
          deleted: false,
        });
      }
    });
  });
}

/**
 * Writes AuditEvents the way the server's AuditWriter does (audit-sql.ts: multi-row INSERTs of
 * the resource rows and the repository's index rows, no history), 500 per statement.
 */
export function loadAuditEvents(
  databaseUrl: string,
  events: Iterable<StorableAuditEvent>,
  options: StorageLoadOptions = {},
): Promise<number> {
  return loadInBatches(databaseUrl, events, options, undefined, async (repo, sql, batch) => {
    const { parts, bindings } = auditInsertCtes(
      batch.map((event) => auditEventRows(event, (e) => repo.extractIndex(e))),
      'a',
    );
    await sql.raw(`WITH ${parts.join(',\n')} SELECT 1`, bindings);
  });
}

async function loadInBatches<T>(
  databaseUrl: string,
  items: Iterable<T>,
  options: StorageLoadOptions,
  finish: ((sql: SqlExecutor) => Promise<unknown>) | undefined,
  write: (repo: PgRepository, sql: SqlExecutor, batch: T[]) => Promise<void>,
): Promise<number> {
  const streams = options.streams ?? 3;
  const batchSize = options.batchSize ?? 500;
  loadFhirDefinitions();
  const db = await openDatabase({ kind: 'postgres', url: databaseUrl, poolSize: streams });
  const started = performance.now();
  let written = 0;
  let lastReport = started;
  try {
    await db.migrate();
    const repo = new PgRepository(db.sql);
    const iterator = items[Symbol.iterator]();
    const nextBatch = (): T[] => {
      const batch: T[] = [];
      while (batch.length < batchSize) {
        const next = iterator.next();
        if (next.done) {
          break;
        }
        batch.push(next.value);
      }
      return batch;
    };
    const stream = async (): Promise<void> => {
      for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
        await write(repo, db.sql, batch);
        written += batch.length;
        const now = performance.now();
        if (options.onProgress && now - lastReport > 5000) {
          lastReport = now;
          options.onProgress({ written, elapsedMs: now - started });
        }
      }
    };
    await Promise.all(Array.from({ length: streams }, stream));
    await finish?.(db.sql);
    return written;
  } finally {
    await db.close();
  }
}
