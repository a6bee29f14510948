import type { Parameters } from '@medplum/fhirtypes';
import { ANY_RESOURCE_TYPE, type FhirOperation } from './fhir-operation';
import { badRequest, informational, OutcomeError } from '../outcomes';
import { requireValidResource } from '../validation/resource-validator';
import { partsOf } from './parameters';

/**
 * http://hl7.org/fhir/R4/resource-operation-validate.html: validates without storing. The
 * body is the resource itself or Parameters with a `resource` part; `profile` (a Parameters part
 * or a query parameter) names a profile to validate against besides those in meta.profile. The
 * answer is 200 with an OperationOutcome listing every issue (the operation ran; the outcome
 * says if it is valid). An unknown profile is an issue of that outcome, too.
 */
export const resourceValidate: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Resource-validate',
    url: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
    name: 'Validate',
    status: 'active',
    kind: 'operation',
    code: 'validate',
    resource: ANY_RESOURCE_TYPE,
    system: false,
    type: true,
    instance: false,
    affectsState: false,
    parameter: [
      { name: 'resource', use: 'in', min: 0, max: '1', type: 'Resource' },
      { name: 'mode', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'profile', use: 'in', min: 0, max: '1', type: 'uri' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'OperationOutcome' },
    ],
  },
  async handle(ctx, request, target) {
    if (request.method !== 'POST') {
      throw badRequest('$validate needs the resource in a POST body');
    }
    const input = validateInput(request.body, target.resourceType);
    const profile = input.profile ?? request.query.get('profile') ?? undefined;
    try {
      await requireValidResource(ctx, input.resource, target.resourceType, { profiles: profile ? [profile] : [] });
    } catch (error) {
      if (error instanceof OutcomeError) {
        return { status: 200, resource: error.outcome };
      }
      throw error;
    }
    return { status: 200, resource: informational('All OK') };
  },
};

/** The resource to check and the profile part: from a Parameters body, or the body itself. */
function validateInput(body: unknown, targetType: string | undefined): { resource: unknown; profile?: string } {
  const parameters = body as Parameters | undefined;
  if (parameters?.resourceType !== 'Parameters') {
    return { resource: body };
  }
  const parts = partsOf(parameters);
  const resource = parts.find((p) => p.name === 'resource')?.resource;
  if (resource === undefined && targetType !== 'Parameters') {
    throw badRequest('$validate takes the resource to check in a parameter named "resource"', 'Parameters.parameter');
  }
  const part = parts.find((p) => p.name === 'profile');
  return { resource: resource ?? body, profile: part?.valueUri ?? part?.valueCanonical ?? part?.valueString };
}
