import type { Knex } from 'knex';

/**
 * The token statistics (20261228300000) take in the system, and from a larger sample.
 *
 * - `specialty=http://snomed.info/sct|394579002` names a system as well: PostgreSQL multiplied
 *   the code's frequency by the system's, as if independent, and estimated 9 of the 1,042 roles
 *   of a specialty. With the system in the MCV list the estimate is right.
 * - Sampled at the default target (30,000 of 4.2 million rows), a code held by 1,042 roles made
 *   the MCV list in some ANALYZE runs only; the target of 1,000 (300,000 rows sampled) keeps
 *   every code of the list above. ANALYZE of `sp_token` takes seconds longer for it.
 *
 * With the roles of a specialty estimated right, doctor discovery (specialty, language, fee,
 * rating) merges the specialty's and the language's index rows, instead of looking up the
 * language of each of the specialty's roles: 2,900 buffers instead of 7,000.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP STATISTICS IF EXISTS sp_token_code_stats');
  await knex.raw('CREATE STATISTICS sp_token_code_stats (mcv, dependencies) ON resource_type, param, code, system FROM sp_token');
  await knex.raw('ALTER STATISTICS sp_token_code_stats SET STATISTICS 1000');
  await knex.raw('ANALYZE sp_token');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP STATISTICS IF EXISTS sp_token_code_stats');
  await knex.raw('CREATE STATISTICS sp_token_code_stats (mcv, dependencies) ON resource_type, param, code FROM sp_token');
  await knex.raw('ANALYZE sp_token');
}
