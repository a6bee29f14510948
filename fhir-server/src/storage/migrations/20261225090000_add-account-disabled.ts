import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/** `account.disabled_at`: set while an administrator has disabled the account (no sign-in, no refresh). */
export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, `ALTER TABLE account ADD COLUMN disabled_at timestamptz;`);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, `ALTER TABLE account DROP COLUMN IF EXISTS disabled_at;`);
}
