import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * Composite search parameters (search.html#composite) store each component as a row of its
 * own type table; `grp` ties the components of one composite value together. NULL for all
 * other rows, so adding it rewrites nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    ALTER TABLE sp_string ADD COLUMN grp integer;
    ALTER TABLE sp_token ADD COLUMN grp integer;
    ALTER TABLE sp_date ADD COLUMN grp integer;
    ALTER TABLE sp_number ADD COLUMN grp integer;
    ALTER TABLE sp_quantity ADD COLUMN grp integer;
    ALTER TABLE sp_reference ADD COLUMN grp integer;
    ALTER TABLE sp_uri ADD COLUMN grp integer;
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    ALTER TABLE sp_string DROP COLUMN grp;
    ALTER TABLE sp_token DROP COLUMN grp;
    ALTER TABLE sp_date DROP COLUMN grp;
    ALTER TABLE sp_number DROP COLUMN grp;
    ALTER TABLE sp_quantity DROP COLUMN grp;
    ALTER TABLE sp_reference DROP COLUMN grp;
    ALTER TABLE sp_uri DROP COLUMN grp;
  `,
  );
}
