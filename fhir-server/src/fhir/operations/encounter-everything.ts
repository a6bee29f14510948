import type { OperationDefinition } from '@medplum/fhirtypes';
import { searchEncounterEverything } from '../interactions/search';
import type { FhirOperation } from './fhir-operation';
import { EVERYTHING_PARAMETERS, everythingQuery } from './everything-query';

/**
 * `Encounter/{id}/$everything` (encounter-operation-everything.html): a consultation and
 * everything recorded in it, as a searchset Bundle: the notes, prescriptions, documents,
 * observations and other resources that refer to the encounter (search.ts
 * searchEncounterEverything), paged by `_count`, limited by `_type` and `_since`; the first page
 * includes the encounter and the patient, practitioners, appointment and location it names.
 * Whoever may read the encounter gets what they may read of the rest (storage filters).
 */
export const encounterEverything: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Encounter-everything',
    url: 'http://hl7.org/fhir/OperationDefinition/Encounter-everything',
    name: 'Everything',
    status: 'active',
    kind: 'operation',
    code: 'everything',
    resource: ['Encounter'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: false,
    parameter: [...EVERYTHING_PARAMETERS],
  },
  async handle(ctx, request, target) {
    const everything = everythingQuery(encounterEverything.definition, request);
    return searchEncounterEverything(ctx, everything.request, target.id as string, everything);
  },
};
