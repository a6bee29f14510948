import type { Knex } from 'knex';

/**
 * Reference parameters that are another parameter narrowed to one target type (Observation
 * `patient` = `subject` of a Patient; AuditEvent `patient` = `agent` or `entity` of a Patient)
 * no longer store their local rows: searches read the source parameter's rows of that type
 * (indexing/indexed-parameters.ts referenceDerivation, search-sql/reference-param.ts). This
 * deletes the rows stored before, which searches would still find but no write makes any more.
 * The list is the R4 base parameters' derivations when this was written (custom
 * SearchParameters are reindexed by their own job).
 */
const DERIVED: readonly [resourceType: string, param: string, sources: readonly string[], targetType: string][] = [
  ['Account', 'patient', ['subject'], 'Patient'],
  ['Appointment', 'location', ['actor'], 'Location'],
  ['Appointment', 'patient', ['actor'], 'Patient'],
  ['Appointment', 'practitioner', ['actor'], 'Practitioner'],
  ['AppointmentResponse', 'location', ['actor'], 'Location'],
  ['AppointmentResponse', 'patient', ['actor'], 'Patient'],
  ['AppointmentResponse', 'practitioner', ['actor'], 'Practitioner'],
  ['AuditEvent', 'patient', ['agent', 'entity'], 'Patient'],
  ['Basic', 'patient', ['subject'], 'Patient'],
  ['CarePlan', 'patient', ['subject'], 'Patient'],
  ['CareTeam', 'patient', ['subject'], 'Patient'],
  ['ChargeItem', 'patient', ['subject'], 'Patient'],
  ['ClinicalImpression', 'patient', ['subject'], 'Patient'],
  ['Communication', 'patient', ['subject'], 'Patient'],
  ['CommunicationRequest', 'patient', ['subject'], 'Patient'],
  ['Composition', 'patient', ['subject'], 'Patient'],
  ['Condition', 'patient', ['subject'], 'Patient'],
  ['Contract', 'patient', ['subject'], 'Patient'],
  ['DeviceRequest', 'patient', ['subject'], 'Patient'],
  ['DiagnosticReport', 'patient', ['subject'], 'Patient'],
  ['DocumentManifest', 'patient', ['subject'], 'Patient'],
  ['DocumentReference', 'patient', ['subject'], 'Patient'],
  ['Encounter', 'patient', ['subject'], 'Patient'],
  ['Encounter', 'practitioner', ['participant'], 'Practitioner'],
  ['Flag', 'patient', ['subject'], 'Patient'],
  ['Goal', 'patient', ['subject'], 'Patient'],
  ['GuidanceResponse', 'patient', ['subject'], 'Patient'],
  ['ImagingStudy', 'patient', ['subject'], 'Patient'],
  ['Invoice', 'patient', ['subject'], 'Patient'],
  ['List', 'patient', ['subject'], 'Patient'],
  ['MeasureReport', 'patient', ['subject'], 'Patient'],
  ['Media', 'patient', ['subject'], 'Patient'],
  ['MedicationAdministration', 'patient', ['subject'], 'Patient'],
  ['MedicationDispense', 'patient', ['subject'], 'Patient'],
  ['MedicationRequest', 'patient', ['subject'], 'Patient'],
  ['MedicationStatement', 'patient', ['subject'], 'Patient'],
  ['Observation', 'patient', ['subject'], 'Patient'],
  ['Person', 'patient', ['link'], 'Patient'],
  ['Person', 'practitioner', ['link'], 'Practitioner'],
  ['Person', 'relatedperson', ['link'], 'RelatedPerson'],
  ['Procedure', 'patient', ['subject'], 'Patient'],
  ['Provenance', 'patient', ['target'], 'Patient'],
  ['QuestionnaireResponse', 'patient', ['subject'], 'Patient'],
  ['RequestGroup', 'patient', ['subject'], 'Patient'],
  ['RiskAssessment', 'patient', ['subject'], 'Patient'],
  ['ServiceRequest', 'patient', ['subject'], 'Patient'],
  ['Specimen', 'patient', ['subject'], 'Patient'],
  ['Task', 'patient', ['subject'], 'Patient'],
];

const derivations = () =>
  JSON.stringify(DERIVED.map(([resource_type, param, sources, target_type]) => ({ resource_type, param, sources, target_type })));
const DERIVATIONS = `json_to_recordset(?::json) AS v(resource_type text, param text, sources text[], target_type text)`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `DELETE FROM sp_reference d USING ${DERIVATIONS}
     WHERE d.resource_type = v.resource_type AND d.param = v.param AND d.target_type = v.target_type AND d.grp IS NULL
       AND EXISTS (SELECT 1 FROM sp_reference s
                   WHERE s.resource_type = d.resource_type AND s.resource_id = d.resource_id
                     AND s.param = ANY(v.sources) AND s.grp IS NULL AND s.url = d.url)`,
    [derivations()],
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    `INSERT INTO sp_reference (resource_type, resource_id, param, target_type, target_id, url)
     SELECT DISTINCT s.resource_type, s.resource_id, v.param, s.target_type, s.target_id, s.url
     FROM sp_reference s JOIN ${DERIVATIONS}
       ON s.resource_type = v.resource_type AND s.param = ANY(v.sources) AND s.target_type = v.target_type
     WHERE s.grp IS NULL`,
    [derivations()],
  );
}
