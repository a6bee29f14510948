import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * The string value index and the date bound indexes gain the resource id as their last
 * column: `_sort` on a string or date parameter then walks the index in (value, id) order and
 * stops after one page, and searches return resource ids from the index alone. They replace
 * the indexes with the same leading columns, so range and starts-with searches use them as
 * before.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE INDEX sp_string_value_id_idx ON sp_string (resource_type, param, value text_pattern_ops, resource_id);
    DROP INDEX sp_string_value_idx;
    CREATE INDEX sp_date_low_id_idx ON sp_date (resource_type, param, low, resource_id);
    DROP INDEX sp_date_low_idx;
    CREATE INDEX sp_date_high_id_idx ON sp_date (resource_type, param, high, resource_id);
    DROP INDEX sp_date_high_idx;
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE INDEX sp_string_value_idx ON sp_string (resource_type, param, value text_pattern_ops);
    DROP INDEX sp_string_value_id_idx;
    CREATE INDEX sp_date_low_idx ON sp_date (resource_type, param, low);
    DROP INDEX sp_date_low_id_idx;
    CREATE INDEX sp_date_high_idx ON sp_date (resource_type, param, high);
    DROP INDEX sp_date_high_id_idx;
  `,
  );
}
