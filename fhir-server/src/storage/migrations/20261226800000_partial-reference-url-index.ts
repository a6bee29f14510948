import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * `sp_reference_url_idx` is only needed for references kept as a URL alone (absolute URLs of
 * other servers, canonicals): a local reference (`Patient/123`) is found by target id and type
 * through `sp_reference_target_source_idx`, and its `url` merely repeats them. Indexing only
 * the rows without a target spares every local reference row one B-tree insertion, most of
 * all AuditEvents', which list each patient and resource they concern.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `DROP INDEX IF EXISTS sp_reference_url_idx;
     CREATE INDEX sp_reference_url_idx ON sp_reference (resource_type, param, url) WHERE target_id IS NULL;`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `DROP INDEX IF EXISTS sp_reference_url_idx;
     CREATE INDEX sp_reference_url_idx ON sp_reference (resource_type, param, url);`,
  );
}
