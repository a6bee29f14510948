import type { OperationDefinition } from '@medplum/fhirtypes';
import type { SearchParameterCatalog } from '../../definitions';
import type { ParameterFilter, SearchFilter } from '../../storage/search-query';
import { searchEverything } from '../interactions/search';
import { badRequest } from '../outcomes';
import { parseFilter } from '../search/parse-filter';
import { supportedParameter } from '../search/registry';
import type { FhirOperation } from './fhir-operation';
import { EVERYTHING_PARAMETERS, everythingQuery } from './everything-query';

/** The search parameter that holds a resource's care date. */
const CARE_DATE = 'timeline-date';

/**
 * `Patient/{id}/$everything` (patient-operation-everything.html): the patient and everything in
 * their compartment but the access log (AuditEvent, by `_type` only), as a searchset Bundle
 * paged by `_count` (links carry the cursor), limited by `_since` (changed at or after that
 * instant), `_type`, and `start` and `end`: care dates (timeline-date) in that window; what
 * has no care date (the patient, allergies without a recorded date, ...) stays in. Any other
 * search parameter (e.g. `_sort=-timeline-date`) applies too, which makes the medical history
 * timeline:
 * `?_type=Encounter,Composition,MedicationRequest,DocumentReference,Condition,Appointment&_sort=-timeline-date`.
 * A patient gets their own; a doctor only within a care relationship (storage filters).
 */
export const patientEverything: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Patient-everything',
    url: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
    name: 'Everything',
    status: 'active',
    kind: 'operation',
    code: 'everything',
    resource: ['Patient'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: false,
    parameter: [
      { name: 'start', use: 'in', min: 0, max: '1', type: 'date' },
      { name: 'end', use: 'in', min: 0, max: '1', type: 'date' },
      ...EVERYTHING_PARAMETERS,
    ],
  },
  async handle(ctx, request, target) {
    const everything = everythingQuery(patientEverything.definition, request);
    const window = careDateBounds(everything.request.query, everything.linkParams);
    return searchEverything(ctx, everything.request, target.id as string, {
      types: everything.types,
      linkParams: everything.linkParams,
      filters: (searched) => careDateWindow(ctx.repo.searchParameters, searched, window),
    });
  },
};

/** `start` and `end` as `timeline-date` values (`ge`, `le`), taken out of the search query and repeated in its links. */
function careDateBounds(query: URLSearchParams, linkParams: URLSearchParams): string[] {
  const bounds: string[] = [];
  for (const [name, prefix] of [
    ['start', 'ge'],
    ['end', 'le'],
  ]) {
    const values = query.getAll(name);
    if (values.length > 1) {
      throw badRequest(`${name} may be given once`, name);
    }
    if (values.length === 1) {
      bounds.push(`${prefix}${values[0]}`);
      linkParams.set(name, values[0]);
      query.delete(name);
    }
  }
  return bounds;
}

/**
 * The care date window (patient-operation-everything.html: "care dates, not record currency
 * dates"): a resource of a type with a care date must have one in the window, or none at all.
 */
function careDateWindow(catalog: SearchParameterCatalog, types: readonly string[], bounds: readonly string[]): SearchFilter[] {
  const dated = types.filter((type) => supportedParameter(catalog, type, CARE_DATE));
  if (bounds.length === 0 || dated.length === 0) {
    return [];
  }
  const filters = bounds.map((bound) => parseFilter({ catalog }, dated, CARE_DATE, bound) as ParameterFilter);
  return [{ ...filters[0], modifier: 'or-missing', ...(filters.length > 1 ? { allOf: filters } : {}) }];
}
