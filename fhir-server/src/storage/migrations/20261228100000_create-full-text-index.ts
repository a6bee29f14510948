import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * `_content` and `_text` (search.html#content): one full-text document per parameter and
 * resource (storage/indexing/full-text.ts), found through a GIN index. The stored resources
 * of the types that have them (all but AuditEvent and Binary) are reindexed by a job.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE TABLE sp_text (
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      param text NOT NULL,
      doc tsvector NOT NULL
    );
    CREATE INDEX sp_text_doc_idx ON sp_text USING gin (doc);
    CREATE INDEX sp_text_resource_idx ON sp_text (resource_type, resource_id);
    INSERT INTO reindex_job (resource_types)
      SELECT array_agg(DISTINCT resource_type ORDER BY resource_type) FROM resource
      WHERE resource_type NOT IN ('AuditEvent', 'Binary')
      HAVING count(*) > 0;
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS sp_text');
}
