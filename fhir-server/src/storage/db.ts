import fs from 'node:fs';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { migrationSource } from './migrations';

export type DatabaseOptions =
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number }
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined };

/** Opens the database: real PostgreSQL through pg, or embedded PGlite (a data folder or memory). */
export function openDatabase(options: DatabaseOptions): Knex {
  if (options.kind === 'postgres') {
    return knex({
      client: 'pg',
      connection: options.url,
      pool: { min: 0, max: options.poolSize },
      acquireConnectionTimeout: 10_000,
    });
  }
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
  }
  return knex({
    client: ClientPgLite as unknown as typeof knex.Client,
    dialect: 'postgres',
    connection: options.dataDir ? { filename: options.dataDir } : {},
  });
}

/** Runs pending migrations; safe to call on every start and from several processes at once. */
export async function migrateDatabase(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' });
}
