import type { Knex } from 'knex';

/** The types the profiles package's `timeline-date` (the care date) newly covers. */
const NEWLY_DATED = [
  'AllergyIntolerance',
  'CarePlan',
  'CareTeam',
  'ClinicalImpression',
  'DiagnosticReport',
  'EpisodeOfCare',
  'FamilyMemberHistory',
  'Immunization',
  'MedicationAdministration',
  'MedicationStatement',
  'Observation',
  'Procedure',
  'ServiceRequest',
];

/**
 * `timeline-date` now gives a care date to every clinical type (`Patient/$everything`'s `start`
 * and `end` filter on it), so the resources of those types stored before need their index rows
 * extracted: a reindex job, which the reindex worker of any server process runs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `INSERT INTO reindex_job (resource_types)
     SELECT array_agg(DISTINCT resource_type ORDER BY resource_type) FROM resource WHERE resource_type = ANY(?::text[]) AND NOT deleted
     HAVING count(*) > 0`,
    [NEWLY_DATED],
  );
}

export async function down(): Promise<void> {
  // The extra index rows are harmless with the narrower parameter.
}
