import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * Search filters answered from the index alone (index-only scans, no visit of the index
 * table's rows): a token value lists its resource ids in id order (the `code` index gains
 * `resource_id` as a key column before `system`, which it carries instead), a reference target
 * carries its source ids, and the per-resource token and date indexes carry the parameter and
 * its values, so testing one resource for a filter, or reading its date sort key, costs one
 * index descent. They replace the indexes with the same leading columns.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE INDEX sp_token_code_id_idx ON sp_token (resource_type, param, code, resource_id) INCLUDE (system);
    DROP INDEX sp_token_code_idx;
    CREATE INDEX sp_token_resource_param_idx ON sp_token (resource_type, resource_id, param) INCLUDE (code, system);
    DROP INDEX sp_token_resource_idx;
    CREATE INDEX sp_date_resource_param_idx ON sp_date (resource_type, resource_id, param) INCLUDE (low, high);
    DROP INDEX sp_date_resource_idx;
    CREATE INDEX sp_reference_target_source_idx ON sp_reference (resource_type, param, target_id, target_type) INCLUDE (resource_id);
    DROP INDEX sp_reference_target_idx;
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE INDEX sp_token_code_idx ON sp_token (resource_type, param, code, system);
    DROP INDEX sp_token_code_id_idx;
    CREATE INDEX sp_token_resource_idx ON sp_token (resource_type, resource_id);
    DROP INDEX sp_token_resource_param_idx;
    CREATE INDEX sp_date_resource_idx ON sp_date (resource_type, resource_id);
    DROP INDEX sp_date_resource_param_idx;
    CREATE INDEX sp_reference_target_idx ON sp_reference (resource_type, param, target_id, target_type);
    DROP INDEX sp_reference_target_source_idx;
  `,
  );
}
