import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * `sp_reference (resource_type, param, url)` now holds only references without a local target
 * (other servers' URLs, canonicals): a local reference (`Patient/123`) is searched by its target
 * (`sp_reference_target_source_idx`), never by its url, so its url entry only cost every write.
 * Most of all AuditEvents: a search returning 20 Patients wrote 21 entries here. Sorting by a
 * reference parameter (`_sort=patient`) no longer walks this index; it sorts the matches.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    DROP INDEX IF EXISTS sp_reference_url_idx;
    CREATE INDEX sp_reference_url_idx ON sp_reference (resource_type, param, url) WHERE target_id IS NULL;
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    DROP INDEX IF EXISTS sp_reference_url_idx;
    CREATE INDEX sp_reference_url_idx ON sp_reference (resource_type, param, url);
  `,
  );
}
