import type { Knex } from 'knex';

/**
 * `identifier:of-type` searches token rows that typed identifiers now get (indexing/token.ts),
 * so the types holding resources with a coded Identifier.type are reindexed by a background
 * job. The text test over-includes (any coding after an identifier); a type more is only work.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    INSERT INTO reindex_job (resource_types)
      SELECT array_agg(resource_type ORDER BY resource_type)
      FROM (
        SELECT DISTINCT resource_type FROM resource
        WHERE resource_type NOT IN ('AuditEvent', 'Binary') AND NOT deleted AND content ILIKE '%identifier":%"coding":%'
      ) typed
      HAVING count(*) > 0`);
}

export async function down(): Promise<void> {
  // The :of-type rows are harmless without the modifier.
}
