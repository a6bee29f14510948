import type { Knex } from 'knex';

/**
 * `_list` now searches the profiles package's `current-item` parameter (List entries not
 * flagged `deleted`), so the Lists stored before it need their index rows extracted: a
 * reindex job, which the reindex worker of any server process runs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `INSERT INTO reindex_job (resource_types) SELECT '{List}' WHERE EXISTS (SELECT 1 FROM resource WHERE resource_type = 'List')`,
  );
}

export async function down(): Promise<void> {
  // The index rows of current-item are harmless without the parameter.
}
