import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * job_run rows become leases: a run holds its job until `finished_at` is set or `lease_until`
 * has passed (its process died), instead of holding an open transaction while it works (on
 * embedded PGlite, the one connection; see storage/exclusive-job.ts). Rows claimed before
 * count as finished.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    ALTER TABLE job_run ADD COLUMN lease_until timestamptz, ADD COLUMN finished_at timestamptz;
    UPDATE job_run SET finished_at = claimed_at, lease_until = claimed_at;
    ALTER TABLE job_run ALTER COLUMN lease_until SET NOT NULL;
    CREATE INDEX job_run_unfinished_idx ON job_run (job, lease_until) WHERE finished_at IS NULL;
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    DROP INDEX IF EXISTS job_run_unfinished_idx;
    ALTER TABLE job_run DROP COLUMN IF EXISTS lease_until, DROP COLUMN IF EXISTS finished_at;
  `,
  );
}
