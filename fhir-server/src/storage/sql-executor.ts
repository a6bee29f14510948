/**
 * The one way storage code runs SQL: `raw(sql, bindings)` with `?` placeholders (the knex
 * convention, so SQL reads the same in migrations and queries) and `transaction(fn)`.
 * Implemented directly on pg's Pool and on PGlite: the hot paths skip knex's query builder,
 * which costs about an eighth of a primary-key read; knex still runs the migrations.
 */
export interface SqlExecutor {
  // Rows default to `any` like knex's raw(), so callers state the row type they select.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  raw<Row = any>(sql: string, bindings?: readonly unknown[], options?: RawOptions): Promise<{ rows: Row[] }>;
  /** Runs fn in one transaction on one connection; nested calls join it. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  readonly inTransaction: boolean;
}

/** A connection pool's state: connections open, of them idle, and callers waiting for one. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface RawOptions {
  /**
   * A hint for statements whose shape repeats (reads by id, the write statement, search pages):
   * the executor may prepare them once per connection, which saves PostgreSQL the parse on every
   * later call. They are still planned for each call's values unless `genericPlan` (pg-executor.ts).
   */
  readonly prepare?: boolean;
  /**
   * With prepare: the statement's best plan does not depend on its values (the write
   * statement, audit inserts), so PostgreSQL plans it once per connection instead of on every
   * call. Planning the write statement's CTEs took 0.6 ms a call.
   */
  readonly genericPlan?: boolean;
}

/**
 * For hot statements of few shapes whose plan does not depend on their values (writes, audit
 * inserts, reads by primary key, anchored search pages): prepared and planned once per connection.
 */
export const PREPARED_GENERIC: RawOptions = { prepare: true, genericPlan: true };

/** `?` placeholders -> `$1..$n`, leaving quoted strings and identifiers alone. */
export function toPositionalSql(sql: string): string {
  let n = 0;
  return replacePlaceholders(sql, () => `$${++n}`);
}

/** Each `?` placeholder outside quoted strings and identifiers replaced by `replace(its index)`. */
export function replacePlaceholders(sql: string, replace: (index: number) => string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      if (c === quote) {
        quote = undefined;
      }
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '?') {
      out += replace(n++);
    } else {
      out += c;
    }
  }
  return out;
}
