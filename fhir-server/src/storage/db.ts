import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { migrationSource } from './migrations';
import { PgPoolExecutor } from './pg-executor';
import { PgliteExecutor, type NestedQueryListener } from './pglite-executor';
import type { PoolStats, SqlExecutor } from './sql-executor';

export type DatabaseOptions =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly poolSize: number;
      /** Cancel any statement running longer (default: never). */
      readonly statementTimeoutMs?: number;
    }
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined };

export interface Database {
  readonly sql: SqlExecutor;
  /** Runs pending knex migrations; safe on every start and from several processes at once. */
  migrate(): Promise<void>;
  /** Resolves when the database answers a query (readiness). */
  ping(): Promise<void>;
  /** The connection pool's state (PostgreSQL); undefined for the embedded database. */
  poolStats(): PoolStats | undefined;
  close(): Promise<void>;
}

export interface DatabaseHooks {
  /** PGlite: a statement sent past the open transaction its code runs in (it waits for it; see PgliteExecutor). */
  readonly onNestedQuery?: NestedQueryListener;
}

/** Opens the database: real PostgreSQL through pg, or embedded PGlite (a data folder or memory). */
export async function openDatabase(options: DatabaseOptions, hooks: DatabaseHooks = {}): Promise<Database> {
  if (options.kind === 'postgres') {
    const executor = new PgPoolExecutor(options.url, options.poolSize, options.statementTimeoutMs);
    return {
      sql: executor,
      migrate: () => withKnex(knex({ client: 'pg', connection: options.url, pool: { min: 0, max: 1 } }), runMigrations),
      ping: async () => {
        await executor.raw('SELECT 1');
      },
      poolStats: () => executor.stats(),
      close: () => executor.close(),
    };
  }
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
  }
  const pglite = await PGlite.create(options.dataDir);
  return {
    sql: new PgliteExecutor(pglite, hooks.onNestedQuery),
    migrate: () =>
      withKnex(
        knex({
          client: ClientPgLite as unknown as typeof knex.Client,
          dialect: 'postgres',
          // knex-pglite takes an existing instance through a connection function; it closes
          // that instance on destroy, so it gets a view whose close() leaves it open.
          connection: (() => ({ pglite: withoutClose(pglite) })) as unknown as Knex.StaticConnectionConfig,
        }),
        runMigrations,
      ),
    ping: async () => {
      await pglite.query('SELECT 1');
    },
    poolStats: () => undefined,
    close: () => pglite.close(),
  };
}

async function runMigrations(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' });
}

async function withKnex(db: Knex, work: (db: Knex) => Promise<void>): Promise<void> {
  try {
    await work(db);
  } finally {
    await db.destroy();
  }
}

function withoutClose(pglite: PGlite): PGlite {
  return new Proxy(pglite, {
    get(target, property) {
      if (property === 'close') {
        return async () => undefined;
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
