import type { Binary, Resource, Subscription } from '@medplum/fhirtypes';
import { criteriaSubjects } from '../auth/subscription-subjects';
import { patientCompartmentParams, type SearchParameterCatalog } from '../definitions';
import { compartmentReferenceRows } from './compartment-references';
import type { IndexRows } from './indexing/index-rows';
import { referenceDerivationsOf } from './indexing/indexed-parameters';

/**
 * The Patient compartments (`Patient/<id>`) a resource version belongs to, from its reference
 * index rows and compartmentdefinition-patient. Stored with every version so that access
 * filters are an indexed array containment test, not a join.
 */
export function patientCompartments(
  resource: Resource & { id: string },
  index: IndexRows | undefined,
  catalog: SearchParameterCatalog,
): string[] {
  const compartments = new Set<string>();
  if (resource.resourceType === 'Patient') {
    compartments.add(`Patient/${resource.id}`);
  }
  // Not in compartmentdefinition-patient: a Binary belongs to the patient its securityContext names.
  const securityContext = resource.resourceType === 'Binary' ? binaryPatient(resource as Binary) : undefined;
  if (securityContext) {
    compartments.add(securityContext);
  }
  // Nor is a Subscription: it belongs to the patients its criteria are limited to.
  if (resource.resourceType === 'Subscription') {
    criteriaSubjects((resource as Subscription).criteria, 'Patient').forEach((patient) => compartments.add(patient));
  }
  const params = withPatientSources(catalog, resource.resourceType, patientCompartmentParams(resource.resourceType));
  if (params.length > 0 && index) {
    const rows = index.reference.length > 0 ? index.reference : compartmentReferenceRows(resource, params);
    for (const row of rows) {
      if (row.target_type === 'Patient' && row.target_id && params.includes(row.param)) {
        compartments.add(`Patient/${row.target_id}`);
      }
    }
  }
  return [...compartments];
}

/**
 * The compartment parameters plus the parameters whose rows stand for a derived one's Patient
 * rows (e.g. Observation `subject` for `patient`, indexed-parameters.ts referenceDerivation).
 */
function withPatientSources(catalog: SearchParameterCatalog, resourceType: string, params: readonly string[]): readonly string[] {
  const sources = [...referenceDerivationsOf(catalog, resourceType)]
    .filter(([code, derivation]) => derivation.targetType === 'Patient' && params.includes(code))
    .flatMap(([, derivation]) => derivation.sources);
  return sources.length > 0 ? [...new Set([...params, ...sources])] : params;
}

/** `Patient/<id>` from a Binary's securityContext, when it names a patient of this server. */
export function binaryPatient(binary: Binary): string | undefined {
  const match = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(binary.securityContext?.reference ?? '');
  return match ? `Patient/${match[1]}` : undefined;
}
