import type { AuditEvent } from '@medplum/fhirtypes';
import { auditEventRows, auditInsertCtes, type AuditEventRows, type StorableAuditEvent } from './audit-sql';
import type { IndexRows } from './indexing/index-rows';
import { PREPARED_GENERIC, type SqlExecutor } from './sql-executor';

const FLUSH_MS = 100;
const BATCH = 500;
/** Beyond this many waiting events (database down for long), the oldest are dropped and counted. */
const MAX_PENDING = 100_000;

/**
 * Stores the AuditEvents of reads and searches off the request path: an in-process buffer
 * flushed every 100 ms (or at 500 events) with multi-row INSERTs, and on shutdown.
 *
 * Trade-off: a read answers before its AuditEvent is durable, so a crash (not a graceful
 * stop) can lose the last ~100 ms of read events; in exchange a read costs no extra round
 * trip. Writes do not use this buffer: their AuditEvent commits in the same transaction as
 * the change (pg-repository.ts).
 */
export class AuditWriter {
  private pending: StorableAuditEvent[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private dropped = 0;

  constructor(
    private readonly db: SqlExecutor,
    private readonly onError: (message: string, details: Record<string, unknown>) => void,
    /** Search index rows of an AuditEvent (the repository's extractor). */
    private readonly extract: (event: AuditEvent) => IndexRows,
  ) {}

  enqueue(event: StorableAuditEvent): void {
    this.pending.push(event);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    if (this.pending.length >= BATCH) {
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
    }
  }

  /** Writes everything buffered; resolves when it is stored (or failed and was kept for retry). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.flushing) {
      await this.flushing;
    }
    if (this.pending.length === 0) {
      return;
    }
    const batch = this.pending.splice(0, BATCH);
    this.flushing = this.store(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
    if (this.pending.length > 0) {
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
    }
  }

  /** Flushes until empty, for shutdown. */
  async close(): Promise<void> {
    let before = Infinity;
    while (this.pending.length > 0 && this.pending.length < before) {
      before = this.pending.length;
      await this.flush();
    }
  }

  /** The events whose rows could be made; any other is dropped, so it cannot hold back the rest forever. */
  private prepare(batch: readonly StorableAuditEvent[]): { event: StorableAuditEvent; rows: AuditEventRows }[] {
    return batch.flatMap((event) => {
      try {
        return [{ event, rows: auditEventRows(event, this.extract) }];
      } catch (error) {
        this.dropped++;
        this.onError('Preparing an audit event failed; it is dropped', { error: String(error), id: event.event.id, dropped: this.dropped });
        return [];
      }
    });
  }

  private async store(batch: StorableAuditEvent[]): Promise<void> {
    const prepared = this.prepare(batch);
    if (prepared.length === 0) {
      return;
    }
    try {
      const { parts, bindings } = auditInsertCtes(
        prepared.map((p) => p.rows),
        'a',
      );
      await this.db.raw(`WITH ${parts.join(',\n')} SELECT 1`, bindings, PREPARED_GENERIC);
    } catch (error) {
      this.pending.unshift(...prepared.map((p) => p.event));
      this.onError('Storing audit events failed; will retry', {
        error: String(error),
        pending: this.pending.length,
        dropped: this.dropped,
      });
    }
  }
}
