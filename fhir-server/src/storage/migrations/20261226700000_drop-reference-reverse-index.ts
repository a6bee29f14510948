import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * `sp_reference (target_type, target_id)` predates the search engine: every search condition on
 * references names the source type and parameter, which `sp_reference_target_source_idx` leads
 * with, so no query uses it. Every reference row paid for it on write, most of all AuditEvents,
 * which list each patient and resource they concern: 21 reference rows for a search that
 * returned 10 Patients.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, `DROP INDEX IF EXISTS sp_reference_reverse_idx;`);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, `CREATE INDEX IF NOT EXISTS sp_reference_reverse_idx ON sp_reference (target_type, target_id);`);
}
