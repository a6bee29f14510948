import { Pool, type PoolClient } from 'pg';
import { toPositionalSql, type SqlExecutor } from './sql-executor';

const sqlCache = new Map<string, string>();

function positional(sql: string): string {
  let converted = sqlCache.get(sql);
  if (converted === undefined) {
    converted = toPositionalSql(sql);
    if (sqlCache.size < 10_000) {
      sqlCache.set(sql, converted);
    }
  }
  return converted;
}

/** SqlExecutor on a pg connection pool (PostgreSQL). */
export class PgPoolExecutor implements SqlExecutor {
  readonly inTransaction = false;
  private readonly pool: Pool;

  constructor(url: string, poolSize: number) {
    this.pool = new Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
  }

  async raw<Row>(sql: string, bindings: readonly unknown[] = []): Promise<{ rows: Row[] }> {
    const result = await this.pool.query(positional(sql), bindings as unknown[]);
    return { rows: result.rows as Row[] };
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PgClientExecutor(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

class PgClientExecutor implements SqlExecutor {
  readonly inTransaction = true;

  constructor(private readonly client: PoolClient) {}

  async raw<Row>(sql: string, bindings: readonly unknown[] = []): Promise<{ rows: Row[] }> {
    const result = await this.client.query(positional(sql), bindings as unknown[]);
    return { rows: result.rows as Row[] };
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}
