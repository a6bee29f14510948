import type { ValueSet } from '@medplum/fhirtypes';
import { expandValueSet } from '../terminology/expand-value-set';
import { resolveValueSet, terminologyFor } from '../terminology/resolve-canonical';
import type { FhirOperation } from './fhir-operation';
import { OperationInput } from './parameters';

/** http://hl7.org/fhir/R4/valueset-operation-expand.html */
export const valueSetExpand: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'ValueSet-expand',
    url: 'http://hl7.org/fhir/OperationDefinition/ValueSet-expand',
    name: 'Value Set Expansion',
    status: 'active',
    kind: 'operation',
    code: 'expand',
    resource: ['ValueSet'],
    system: false,
    type: true,
    instance: true,
    affectsState: false,
    parameter: [
      { name: 'url', use: 'in', min: 0, max: '1', type: 'uri' },
      { name: 'valueSet', use: 'in', min: 0, max: '1', type: 'ValueSet' },
      { name: 'valueSetVersion', use: 'in', min: 0, max: '1', type: 'string' },
      { name: 'filter', use: 'in', min: 0, max: '1', type: 'string' },
      { name: 'offset', use: 'in', min: 0, max: '1', type: 'integer' },
      { name: 'count', use: 'in', min: 0, max: '1', type: 'integer' },
      { name: 'displayLanguage', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'activeOnly', use: 'in', min: 0, max: '1', type: 'boolean' },
      { name: 'includeDesignations', use: 'in', min: 0, max: '1', type: 'boolean' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'ValueSet' },
    ],
  },
  async handle(ctx, request, target) {
    const input = OperationInput.read(valueSetExpand.definition, request);
    const source = terminologyFor(ctx);
    const valueSet = await resolveValueSet(ctx, source, {
      instanceId: target.id,
      inline: input.resource<ValueSet>('valueSet', 'ValueSet'),
      url: input.string('url'),
      version: input.string('valueSetVersion'),
    });
    const expansion = await expandValueSet(valueSet, source, {
      filter: input.string('filter'),
      offset: input.integer('offset'),
      count: input.integer('count'),
      displayLanguage: input.string('displayLanguage'),
      activeOnly: input.boolean('activeOnly'),
      includeDesignations: input.boolean('includeDesignations'),
    });
    return { status: 200, resource: expansion };
  },
};
