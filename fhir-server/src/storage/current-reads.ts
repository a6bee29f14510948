import type { SqlCondition } from './access-filter';
import { PREPARED_GENERIC, type SqlExecutor } from './sql-executor';
import { VERSION_COLUMNS, type VersionRow } from './version-row';

/** More ids than this in one turn of the event loop are read by several statements. */
const MAX_BATCH = 100;

interface Waiter {
  readonly id: string;
  resolve(row: VersionRow | undefined): void;
  reject(error: unknown): void;
}

interface Batch {
  readonly resourceType: string;
  readonly filter: SqlCondition | undefined;
  readonly waiters: Waiter[];
}

/**
 * Reads of current versions by id (`GET [type]/[id]`, the commonest request) that arrive in the
 * same turn of the event loop are answered by one statement, `id = ANY(...)`: one round trip,
 * one execution of the prepared statement for all of them instead of one each. Only reads
 * with the same type and the same access filter (same SQL, same bindings: the same caller's
 * grants) share a statement, so each caller still sees only what its filter lets through;
 * if that statement fails, each read is tried again alone, so it fails only the request at fault.
 * Outside transactions only; a transaction's reads go through its own connection as they are.
 */
export class CurrentReads {
  private readonly batches = new Map<string, Batch>();
  private scheduled = false;

  constructor(private readonly db: SqlExecutor) {}

  read(resourceType: string, id: string, filter: SqlCondition | undefined): Promise<VersionRow | undefined> {
    const key = `${resourceType}\n${filter?.sql ?? ''}\n${filter ? JSON.stringify(filter.bindings) : ''}`;
    let batch = this.batches.get(key);
    if (!batch) {
      batch = { resourceType, filter, waiters: [] };
      this.batches.set(key, batch);
    }
    const promise = new Promise<VersionRow | undefined>((resolve, reject) => batch.waiters.push({ id, resolve, reject }));
    if (batch.waiters.length >= MAX_BATCH) {
      this.batches.delete(key);
      void this.run(batch);
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return promise;
  }

  private flush(): void {
    this.scheduled = false;
    const batches = [...this.batches.values()];
    this.batches.clear();
    for (const batch of batches) {
      void this.run(batch);
    }
  }

  private async run({ resourceType, filter, waiters }: Batch): Promise<void> {
    let rows: VersionRow[];
    try {
      rows = await this.select(resourceType, [...new Set(waiters.map((w) => w.id))], filter);
    } catch (error) {
      if (waiters.length === 1) {
        waiters[0].reject(error);
        return;
      }
      // One bad read must not fail the others: each is tried again on its own.
      for (const waiter of waiters) {
        void this.run({ resourceType, filter, waiters: [waiter] });
      }
      return;
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const waiter of waiters) {
      waiter.resolve(byId.get(waiter.id));
    }
  }

  private async select(resourceType: string, ids: string[], filter: SqlCondition | undefined): Promise<VersionRow[]> {
    const { rows } = await this.db.raw<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM resource WHERE resource_type = ? AND id = ANY(?::text[])${filter ? ` AND ${filter.sql}` : ''}`,
      [resourceType, ids, ...(filter?.bindings ?? [])],
      PREPARED_GENERIC,
    );
    return rows;
  }
}
