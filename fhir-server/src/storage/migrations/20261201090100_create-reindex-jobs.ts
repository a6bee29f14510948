import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * Reindex jobs: after a SearchParameter changes, the index rows of existing resources of the
 * affected types are extracted again in bounded batches. The job row carries its keyset
 * cursor, so any server process can continue it (claimed with FOR UPDATE SKIP LOCKED).
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE TABLE reindex_job (
      id bigserial PRIMARY KEY,
      resource_types text[] NOT NULL,
      cursor_type text NOT NULL DEFAULT '',
      cursor_id text NOT NULL DEFAULT '',
      processed bigint NOT NULL DEFAULT 0,
      done boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX reindex_job_pending_idx ON reindex_job (id) WHERE NOT done;
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS reindex_job');
}
