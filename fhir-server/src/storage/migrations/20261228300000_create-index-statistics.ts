import type { Knex } from 'knex';

/**
 * Multivariate statistics on the token index. A token condition names the type, the parameter
 * and a code together, and the code all but implies the other two: taking them as independent,
 * PostgreSQL estimated 10 rows for the 291 Observations of `category=vital-signs`, which
 * `_total=estimate` reported and join orders followed. An MCV list and functional dependencies
 * over those columns give it their real frequencies, from the ANALYZE run here on.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE STATISTICS IF NOT EXISTS sp_token_code_stats (mcv, dependencies) ON resource_type, param, code FROM sp_token');
  await knex.raw('ANALYZE sp_token');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP STATISTICS IF EXISTS sp_token_code_stats');
}
