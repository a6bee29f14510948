import type { OperationDefinition } from '@medplum/fhirtypes';
import type { FhirRequest } from '../fhir-request';
import { searchEverything } from '../interactions/search';
import { badRequest } from '../outcomes';
import type { FhirOperation } from './fhir-operation';
import { inputQuery } from './parameters';

/**
 * `Patient/{id}/$everything` (patient-operation-everything.html): the patient and everything in
 * their compartment but the access log (AuditEvent, by `_type` only), as a searchset Bundle
 * paged by `_count` (links carry the cursor), limited by `_since` (changed at or after that
 * instant) and `_type`. Any other search parameter (e.g.
 * `_sort=-timeline-date`) applies too, which makes the medical history timeline:
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
      { name: '_since', use: 'in', min: 0, max: '1', type: 'instant' },
      { name: '_type', use: 'in', min: 0, max: '*', type: 'code' },
      { name: '_count', use: 'in', min: 0, max: '1', type: 'integer' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
    ],
  },
  async handle(ctx, request, target) {
    const query = new URLSearchParams(inputQuery(patientEverything.definition, request));
    const types = query
      .getAll('_type')
      .flatMap((value) => value.split(','))
      .map((type) => type.trim())
      .filter(Boolean);
    query.delete('_type');
    const since = query.get('_since');
    if (since !== null) {
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(since) || Number.isNaN(Date.parse(since))) {
        throw badRequest(`_since must be an instant (e.g. 2026-12-01T00:00:00Z), not ${JSON.stringify(since)}`);
      }
      query.delete('_since');
      query.append('_lastUpdated', `ge${since}`);
    }
    const searchRequest: FhirRequest = { ...request, method: 'GET', query };
    return searchEverything(ctx, searchRequest, target.id as string, types.length > 0 ? [...new Set(types)] : undefined);
  },
};
