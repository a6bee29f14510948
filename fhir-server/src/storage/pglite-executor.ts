import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { toPositionalSql, type SqlExecutor } from './sql-executor';

/**
 * Told when code running inside an open transaction sends a statement to the executor itself
 * rather than to the transaction: on PGlite's one connection that statement waits until the
 * transaction ends, and if the transaction waits for it, forever.
 */
export type NestedQueryListener = (details: { readonly sql: string; readonly stack: string }) => void;

/** SqlExecutor on embedded PGlite (one connection; transactions queue behind each other). */
export class PgliteExecutor implements SqlExecutor {
  readonly inTransaction = false;
  /** The transaction the current async context runs in, while it is open (with a listener only). */
  private readonly openTransaction = new AsyncLocalStorage<{ open: boolean }>();

  constructor(
    private readonly db: PGlite,
    private readonly onNestedQuery?: NestedQueryListener,
  ) {}

  async raw<Row>(sql: string, bindings: readonly unknown[] = []): Promise<{ rows: Row[] }> {
    this.noticeNested(sql);
    const result = await this.db.query<Row>(toPositionalSql(sql), bindings as unknown[]);
    return { rows: result.rows };
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.noticeNested('BEGIN');
    return this.db.transaction(async (tx) => {
      const executor = new PgliteTransactionExecutor(tx);
      if (!this.onNestedQuery) {
        return fn(executor);
      }
      const scope = { open: true };
      try {
        return await this.openTransaction.run(scope, () => fn(executor));
      } finally {
        scope.open = false;
      }
    });
  }

  private noticeNested(sql: string): void {
    if (this.onNestedQuery && this.openTransaction.getStore()?.open) {
      this.onNestedQuery({ sql: sql.slice(0, 200), stack: new Error('nested query').stack ?? '' });
    }
  }
}

class PgliteTransactionExecutor implements SqlExecutor {
  readonly inTransaction = true;

  constructor(private readonly tx: Transaction) {}

  async raw<Row>(sql: string, bindings: readonly unknown[] = []): Promise<{ rows: Row[] }> {
    const result = await this.tx.query<Row>(toPositionalSql(sql), bindings as unknown[]);
    return { rows: result.rows };
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}
