import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/** The revocation list reads the disabled accounts every few seconds: only they are indexed. */
export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, `CREATE INDEX IF NOT EXISTS account_disabled_idx ON account (id) WHERE disabled_at IS NOT NULL;`);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, `DROP INDEX IF EXISTS account_disabled_idx;`);
}
