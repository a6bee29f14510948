import { badRequest } from '../outcomes';
import { lookupCode } from '../terminology/lookup-code';
import { resolveCodeSystem, terminologyFor } from '../terminology/resolve-canonical';
import type { FhirOperation } from './fhir-operation';
import { OperationInput } from './parameters';

/** http://hl7.org/fhir/R4/codesystem-operation-lookup.html */
export const codeSystemLookup: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'CodeSystem-lookup',
    url: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup',
    name: 'Concept Look Up & Decomposition',
    status: 'active',
    kind: 'operation',
    code: 'lookup',
    resource: ['CodeSystem'],
    system: false,
    type: true,
    instance: false,
    affectsState: false,
    parameter: [
      { name: 'code', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'system', use: 'in', min: 0, max: '1', type: 'uri' },
      { name: 'version', use: 'in', min: 0, max: '1', type: 'string' },
      { name: 'coding', use: 'in', min: 0, max: '1', type: 'Coding' },
      { name: 'displayLanguage', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'property', use: 'in', min: 0, max: '*', type: 'code' },
      { name: 'name', use: 'out', min: 1, max: '1', type: 'string' },
      { name: 'version', use: 'out', min: 0, max: '1', type: 'string' },
      { name: 'display', use: 'out', min: 1, max: '1', type: 'string' },
      { name: 'designation', use: 'out', min: 0, max: '*' },
      { name: 'property', use: 'out', min: 0, max: '*' },
    ],
  },
  async handle(ctx, request) {
    const input = OperationInput.read(codeSystemLookup.definition, request);
    const coding = input.coding('coding');
    const code = input.string('code') ?? coding?.code;
    const system = input.string('system') ?? coding?.system;
    if (!code || !system) {
      throw badRequest('$lookup needs code and system, or a coding with both');
    }
    const codeSystem = await resolveCodeSystem(ctx, terminologyFor(ctx), {
      url: system,
      version: input.string('version') ?? coding?.version,
    });
    const result = lookupCode(codeSystem, code, {
      properties: input.strings('property'),
      displayLanguage: input.string('displayLanguage'),
    });
    return { status: 200, resource: result };
  },
};
