import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * `care:Practitioner/<id>` access tags on current Appointments and Encounters that are not
 * cancelled or entered-in-error (storage/access-tags.ts writes them from now on): the care
 * relationship filter reads these instead of `participant:` tags, so a cancelled appointment
 * no longer opens the patient's record.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    UPDATE resource r SET access_tags = r.access_tags || ARRAY(
      SELECT 'care:' || substr(t, length('participant:') + 1) FROM unnest(r.access_tags) t WHERE t LIKE 'participant:%'
    )
    WHERE r.resource_type IN ('Appointment', 'Encounter') AND NOT r.deleted
      AND coalesce(r.content::jsonb ->> 'status', '') NOT IN ('cancelled', 'entered-in-error');
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    UPDATE resource r SET access_tags = ARRAY(SELECT t FROM unnest(r.access_tags) t WHERE t NOT LIKE 'care:%')
    WHERE r.resource_type IN ('Appointment', 'Encounter');
  `,
  );
}
