import type { Coding, ParametersParameter, ValueSet } from '@medplum/fhirtypes';
import { badRequest } from '../outcomes';
import { resolveValueSet, terminologyFor } from '../terminology/resolve-canonical';
import { validateCode, type CodeValidation } from '../terminology/validate-code';
import type { FhirOperation } from './fhir-operation';
import { OperationInput, outputParameters } from './parameters';

/**
 * http://hl7.org/fhir/R4/valueset-operation-validate-code.html. A CodeableConcept is valid when
 * one of its codings is. The answer is 200 with `result` either way; only bad input is an error.
 */
export const valueSetValidateCode: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'ValueSet-validate-code',
    url: 'http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code',
    name: 'Value Set based Validation',
    status: 'active',
    kind: 'operation',
    code: 'validate-code',
    resource: ['ValueSet'],
    system: false,
    type: true,
    instance: true,
    affectsState: false,
    parameter: [
      { name: 'url', use: 'in', min: 0, max: '1', type: 'uri' },
      { name: 'valueSet', use: 'in', min: 0, max: '1', type: 'ValueSet' },
      { name: 'valueSetVersion', use: 'in', min: 0, max: '1', type: 'string' },
      { name: 'code', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'system', use: 'in', min: 0, max: '1', type: 'uri' },
      { name: 'systemVersion', use: 'in', min: 0, max: '1', type: 'string' },
      { name: 'display', use: 'in', min: 0, max: '1', type: 'string' },
      { name: 'coding', use: 'in', min: 0, max: '1', type: 'Coding' },
      { name: 'codeableConcept', use: 'in', min: 0, max: '1', type: 'CodeableConcept' },
      { name: 'displayLanguage', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'abstract', use: 'in', min: 0, max: '1', type: 'boolean' },
      { name: 'result', use: 'out', min: 1, max: '1', type: 'boolean' },
      { name: 'message', use: 'out', min: 0, max: '1', type: 'string' },
      { name: 'display', use: 'out', min: 0, max: '1', type: 'string' },
    ],
  },
  async handle(ctx, request, target) {
    const input = OperationInput.read(valueSetValidateCode.definition, request);
    const source = terminologyFor(ctx);
    const valueSet = await resolveValueSet(ctx, source, {
      instanceId: target.id,
      inline: input.resource<ValueSet>('valueSet', 'ValueSet'),
      url: input.string('url'),
      version: input.string('valueSetVersion'),
    });
    const options = { abstractAllowed: input.boolean('abstract'), displayLanguage: input.string('displayLanguage') };
    let validation: CodeValidation | undefined;
    for (const coding of codingsOf(input)) {
      const candidate = { system: coding.system, code: coding.code as string, display: coding.display, version: coding.version };
      const attempt = await validateCode(valueSet, source, candidate, options);
      if (!validation || (attempt.result && !validation.result)) {
        validation = attempt;
      }
    }
    const result = validation as CodeValidation;
    const parameter: ParametersParameter[] = [{ name: 'result', valueBoolean: result.result }];
    if (result.message) {
      parameter.push({ name: 'message', valueString: result.message });
    }
    if (result.display) {
      parameter.push({ name: 'display', valueString: result.display });
    }
    return { status: 200, resource: outputParameters(parameter) };
  },
};

/** The code(s) to check: code + system + display, a coding, or a codeable concept's codings. */
function codingsOf(input: OperationInput): Coding[] {
  const code = input.string('code');
  if (code !== undefined) {
    return [{ system: input.string('system'), code, display: input.string('display'), version: input.string('systemVersion') }];
  }
  const coding = input.coding('coding');
  if (coding) {
    return [coding];
  }
  const codings = (input.codeableConcept('codeableConcept')?.coding ?? []).filter((c) => typeof c.code === 'string');
  if (codings.length === 0) {
    throw badRequest('Give the code to validate: code (with system), coding, or codeableConcept');
  }
  return codings;
}
