import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * Bulk Data jobs of both kinds ($export and $import) in one table, each run by exactly one
 * process: the process that claims a job holds a lease (`lease_owner`, `lease_until`) and
 * renews it while it works; a job whose lease ran out (its process died) is claimed again by
 * one other process (`FOR UPDATE SKIP LOCKED`). `attempts` counts the claims.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    ALTER TABLE export_job RENAME TO bulk_job;
    ALTER INDEX export_job_owner_active_idx RENAME TO bulk_job_owner_active_idx;
    ALTER TABLE bulk_job
      ADD COLUMN kind text NOT NULL DEFAULT 'export',
      ADD COLUMN lease_owner text,
      ADD COLUMN lease_until timestamptz,
      ADD COLUMN attempts integer NOT NULL DEFAULT 0;
    CREATE INDEX bulk_job_claimable_idx ON bulk_job (kind, lease_until) WHERE status = 'in-progress';
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    DROP INDEX IF EXISTS bulk_job_claimable_idx;
    DELETE FROM bulk_job WHERE kind <> 'export';
    ALTER TABLE bulk_job DROP COLUMN kind, DROP COLUMN lease_owner, DROP COLUMN lease_until, DROP COLUMN attempts;
    ALTER INDEX bulk_job_owner_active_idx RENAME TO export_job_owner_active_idx;
    ALTER TABLE bulk_job RENAME TO export_job;
  `,
  );
}
