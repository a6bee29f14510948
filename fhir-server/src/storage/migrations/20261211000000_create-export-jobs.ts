import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * Bulk Data $export jobs: the kick-off request, who asked (to run it with their access
 * after a restart, and to answer only them), the state, and the files written.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE TABLE export_job (
      id uuid PRIMARY KEY,
      owner text NOT NULL,
      principal jsonb NOT NULL,
      request jsonb NOT NULL,
      status text NOT NULL,
      progress text NOT NULL DEFAULT '',
      output jsonb NOT NULL DEFAULT '[]',
      error text,
      transaction_time timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX export_job_owner_active_idx ON export_job (owner) WHERE status = 'in-progress';
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS export_job');
}
