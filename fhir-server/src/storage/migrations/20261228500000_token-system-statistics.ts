import type { Knex } from 'knex';

/**
 * The token statistics (20261228300000) take in the system. A token condition with a system
 * (`code=http://loinc.org|8867-4`) names it as well as the code, and PostgreSQL multiplied the
 * code's frequency by the system's as if they were independent: 300 rows of one code and
 * system among 3,000 were estimated at about 30. With the system in the MCV list and the
 * dependencies, a common code is estimated with its system.
 *
 * A larger sample (statistics target 1,000) would also bring rarer codes into the list (a
 * specialty of 1,042 of 4.2 million token rows, whose estimate of 9 sends doctor discovery to
 * look up each role's language), but made every ANALYZE of `sp_token` ten times longer (1 -> 11 s
 * there), which autovacuum repeats as AuditEvents add token rows; see the performance log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP STATISTICS IF EXISTS sp_token_code_stats');
  await knex.raw('CREATE STATISTICS sp_token_code_stats (mcv, dependencies) ON resource_type, param, code, system FROM sp_token');
  await knex.raw('ANALYZE sp_token');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP STATISTICS IF EXISTS sp_token_code_stats');
  await knex.raw('CREATE STATISTICS sp_token_code_stats (mcv, dependencies) ON resource_type, param, code FROM sp_token');
  await knex.raw('ANALYZE sp_token');
}
