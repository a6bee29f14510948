import { Pool, type PoolClient } from 'pg';
import type { QueryConfig } from 'pg';
import { toPositionalSql, type PoolStats, type RawOptions, type SqlExecutor } from './sql-executor';
import { isStatementTimeout, StatementTimeoutError } from './storage-errors';

const sqlCache = new Map<string, string>();
/**
 * Names of prepared statements by SQL text, first come first served; bounded so a connection
 * never holds many (search shapes beyond the bound run unprepared).
 */
const statementNames = new Map<string, string>();
const MAX_PREPARED_STATEMENTS = 300;
const SESSION_SETUP = [
  // lz4 compresses the resource JSON (TOASTed above ~2 kB) several times faster than pglz.
  "SET default_toast_compression = 'lz4'",
];
/** The session setup each new connection runs before its first query. */
const sessionReady = new WeakMap<PoolClient, Promise<void>>();

/**
 * Statements are planned for their values on every execution by default: after five runs
 * PostgreSQL may switch a prepared statement to one generic plan, which for skewed index data
 * can be far worse (a Slot window search went from 1 ms to 120 ms). Statements that ask for a
 * generic plan (writes, audit inserts, reads by key, search pages anchored on a referenced
 * resource: search-sql/generic-plan.ts) are planned once per connection instead. The
 * session's mode is switched only when the next statement wants the other one; undefined:
 * not known (a new session, or a rolled-back transaction that may have undone a switch).
 */
type PlanCacheMode = 'force_custom_plan' | 'force_generic_plan';
const planCacheModes = new WeakMap<PoolClient, PlanCacheMode>();

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

/** The query for pg: a named (prepared once per connection) statement when asked and within bounds. */
function queryConfig(sql: string, bindings: readonly unknown[], options: RawOptions | undefined): QueryConfig {
  const text = positional(sql);
  let name: string | undefined;
  if (options?.prepare) {
    name = statementNames.get(text);
    if (name === undefined && statementNames.size < MAX_PREPARED_STATEMENTS) {
      name = `medbuddy_${statementNames.size + 1}`;
      statementNames.set(text, name);
    }
  }
  return { text, values: bindings as unknown[], name };
}

/** Puts the session in the plan cache mode the statement wants, if it is not in it already. */
async function usePlanCacheMode(client: PoolClient, options: RawOptions | undefined): Promise<void> {
  const wanted: PlanCacheMode = options?.prepare && options.genericPlan ? 'force_generic_plan' : 'force_custom_plan';
  if (planCacheModes.get(client) !== wanted) {
    await client.query(`SET plan_cache_mode = ${wanted}`);
    planCacheModes.set(client, wanted);
  }
}

/** Runs a query, reporting a statement cancelled by the session's timeout as StatementTimeoutError. */
async function runQuery(
  client: PoolClient,
  sql: string,
  bindings: readonly unknown[],
  options: RawOptions | undefined,
  statementTimeoutMs: number,
): Promise<unknown[]> {
  try {
    if (bindings.length > 0) {
      // A statement without parameters has one plan whatever the mode.
      await usePlanCacheMode(client, options);
    }
    return (await client.query(queryConfig(sql, bindings, options))).rows as unknown[];
  } catch (error) {
    throw isStatementTimeout(error) ? new StatementTimeoutError(statementTimeoutMs) : error;
  }
}

/** SqlExecutor on a pg connection pool (PostgreSQL). */
export class PgPoolExecutor implements SqlExecutor {
  readonly inTransaction = false;
  private readonly pool: Pool;

  /**
   * @param statementTimeoutMs PostgreSQL cancels any statement running longer (0 or undefined:
   *   never), so no search, however costly, holds a connection and a core without bound.
   */
  constructor(
    url: string,
    poolSize: number,
    private readonly statementTimeoutMs = 0,
  ) {
    this.pool = new Pool({
      connectionString: url,
      max: poolSize,
      connectionTimeoutMillis: 10_000,
      ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => {
      const setUp = async (): Promise<void> => {
        for (const statement of SESSION_SETUP) {
          // A server without the feature (lz4, say) keeps its default.
          await client.query(statement).catch(() => undefined);
        }
      };
      sessionReady.set(client, setUp());
    });
  }

  async raw<Row>(sql: string, bindings: readonly unknown[] = [], options?: RawOptions): Promise<{ rows: Row[] }> {
    const client = await this.connect();
    try {
      const rows = await runQuery(client, sql, bindings, options, this.statementTimeoutMs);
      client.release();
      return { rows: rows as Row[] };
    } catch (error) {
      // As pg's pool.query does: a connection that failed a query is not reused.
      client.release(error as Error);
      throw error;
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PgClientExecutor(client, this.statementTimeoutMs));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A SET plan_cache_mode in the transaction is undone with it.
      planCacheModes.delete(client);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** Connections open, idle, and requests waiting for one (metrics). */
  stats(): PoolStats {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  /** A pooled client whose session settings are in place (a new connection sets them first). */
  private async connect(): Promise<PoolClient> {
    const client = await this.pool.connect();
    await sessionReady.get(client);
    return client;
  }
}

class PgClientExecutor implements SqlExecutor {
  readonly inTransaction = true;

  constructor(
    private readonly client: PoolClient,
    private readonly statementTimeoutMs: number,
  ) {}

  async raw<Row>(sql: string, bindings: readonly unknown[] = [], options?: RawOptions): Promise<{ rows: Row[] }> {
    const rows = await runQuery(this.client, sql, bindings, options, this.statementTimeoutMs);
    return { rows: rows as Row[] };
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}
