import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * `access_tags`: the few facts access rules need about a version, extracted at write time by
 * storage/access-tags.ts (`verified`, `actor:Practitioner/1`, `schedule:Schedule/2`,
 * `status:free`, `participant:Practitioner/1`), so that the public-directory and
 * care-relationship filters are GIN-indexed array tests, independent of the search indexes.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    ALTER TABLE resource ADD COLUMN access_tags text[] NOT NULL DEFAULT '{}';
    ALTER TABLE resource_history ADD COLUMN access_tags text[] NOT NULL DEFAULT '{}';
    CREATE INDEX resource_access_tags_idx ON resource USING gin (access_tags);
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    DROP INDEX IF EXISTS resource_access_tags_idx;
    ALTER TABLE resource_history DROP COLUMN IF EXISTS access_tags;
    ALTER TABLE resource DROP COLUMN IF EXISTS access_tags;
  `,
  );
}
