import type { Coding } from '@medplum/fhirtypes';
import { badRequest } from '../outcomes';
import { resolveCodeSystem, terminologyFor } from '../terminology/resolve-canonical';
import { subsumes } from '../terminology/subsumption';
import type { FhirOperation } from './fhir-operation';
import { OperationInput, outputParameters } from './parameters';

/** http://hl7.org/fhir/R4/codesystem-operation-subsumes.html */
export const codeSystemSubsumes: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'CodeSystem-subsumes',
    url: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-subsumes',
    name: 'Subsumption Testing',
    status: 'active',
    kind: 'operation',
    code: 'subsumes',
    resource: ['CodeSystem'],
    system: false,
    type: true,
    instance: true,
    affectsState: false,
    parameter: [
      { name: 'codeA', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'codeB', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'system', use: 'in', min: 0, max: '1', type: 'uri' },
      { name: 'version', use: 'in', min: 0, max: '1', type: 'string' },
      { name: 'codingA', use: 'in', min: 0, max: '1', type: 'Coding' },
      { name: 'codingB', use: 'in', min: 0, max: '1', type: 'Coding' },
      { name: 'outcome', use: 'out', min: 1, max: '1', type: 'code' },
    ],
  },
  async handle(ctx, request, target) {
    const input = OperationInput.read(codeSystemSubsumes.definition, request);
    const a = codeAndSystem(input.string('codeA'), input.coding('codingA'), 'A');
    const b = codeAndSystem(input.string('codeB'), input.coding('codingB'), 'B');
    const system = input.string('system') ?? a.system ?? b.system;
    for (const coding of [a, b]) {
      if (coding.system && system && coding.system !== system) {
        throw badRequest(`$subsumes compares codes of one code system; ${coding.system} is not ${system}`);
      }
    }
    if (!target.id && !system) {
      throw badRequest('$subsumes needs the system (or codings with one), or CodeSystem/[id]/$subsumes');
    }
    const codeSystem = await resolveCodeSystem(ctx, terminologyFor(ctx), {
      instanceId: target.id,
      url: system,
      version: input.string('version'),
    });
    return { status: 200, resource: outputParameters([{ name: 'outcome', valueCode: subsumes(codeSystem, a.code, b.code) }]) };
  },
};

function codeAndSystem(code: string | undefined, coding: Coding | undefined, which: 'A' | 'B'): { code: string; system?: string } {
  if (code !== undefined) {
    return { code };
  }
  if (coding?.code) {
    return { code: coding.code, system: coding.system };
  }
  throw badRequest(`$subsumes needs code${which} or coding${which}`);
}
