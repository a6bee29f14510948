import type { Knex } from 'knex';

/**
 * Runs a script of `;`-terminated statements one at a time: PGlite's query path takes one
 * statement per call. The scripts are our own migrations, with no `;` inside literals.
 */
export async function runStatements(knex: Knex, script: string): Promise<void> {
  for (const statement of script.split(/;\s*(?:\n|$)/)) {
    if (statement.trim()) {
      await knex.raw(statement);
    }
  }
}
