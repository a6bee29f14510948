import type { PGlite, Transaction } from '@electric-sql/pglite';
import { toPositionalSql, type SqlExecutor } from './sql-executor';

/** SqlExecutor on embedded PGlite (one connection; transactions queue behind each other). */
export class PgliteExecutor implements SqlExecutor {
  readonly inTransaction = false;

  constructor(private readonly db: PGlite) {}

  async raw<Row>(sql: string, bindings: readonly unknown[] = []): Promise<{ rows: Row[] }> {
    const result = await this.db.query<Row>(toPositionalSql(sql), bindings as unknown[]);
    return { rows: result.rows };
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new PgliteTransactionExecutor(tx)));
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
