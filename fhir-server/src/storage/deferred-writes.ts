import type { RawOptions, SqlExecutor } from './sql-executor';
import type { VersionWrite } from './version-writes';

/** Writes held back at most: a larger transaction stores them in statements of this many. */
const MAX_HELD_BACK = 500;

/**
 * The executor of a repository transaction: it holds resource writes back and stores them
 * together (one statement, versionWriteCtes) just before the transaction's next statement of
 * any kind, or at its end. Every read in the transaction still sees every earlier write, and a
 * transaction Bundle of 50 entries costs one write statement instead of 50.
 */
export class DeferredWrites implements SqlExecutor {
  readonly inTransaction = true;
  private pending: VersionWrite[] = [];
  private readonly pendingKeys = new Set<string>();

  constructor(
    private readonly tx: SqlExecutor,
    private readonly store: (tx: SqlExecutor, writes: readonly VersionWrite[]) => Promise<void>,
  ) {}

  /** Holds a write back; a second write of the same resource stores the pending ones first. */
  async defer(write: VersionWrite): Promise<void> {
    const key = `${write.resource.resourceType}/${write.resource.id}`;
    if (this.pendingKeys.has(key)) {
      await this.flush();
    }
    this.pending.push(write);
    this.pendingKeys.add(key);
    if (this.pending.length >= MAX_HELD_BACK) {
      await this.flush();
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async raw<Row = any>(sql: string, bindings?: readonly unknown[], options?: RawOptions): Promise<{ rows: Row[] }> {
    await this.flush();
    return this.tx.raw<Row>(sql, bindings, options);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }

  /** Stores the writes held back. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) {
      return;
    }
    const writes = this.pending;
    this.pending = [];
    this.pendingKeys.clear();
    await this.store(this.tx, writes);
  }
}
