import type { Parameters, Resource } from '@medplum/fhirtypes';
import { checkStatusChange } from '../consultations/status-rules';
import type { FhirContext } from '../fhir-request';
import { enforceWriteRules } from '../interactions/write-rules';
import { badRequest, informational, OutcomeError } from '../outcomes';
import { requireValidResource } from '../validation/resource-validator';
import { ANY_RESOURCE_TYPE, type FhirOperation, type OperationTarget } from './fhir-operation';
import { partsOf } from './parameters';

/** resource-operation-validate.html, `mode` (ValueSet resource-validation-mode). */
const MODES = ['create', 'update', 'delete', 'profile'] as const;
type ValidationMode = (typeof MODES)[number];

interface ValidateInput {
  readonly resource?: unknown;
  readonly profile?: string;
  readonly mode?: ValidationMode;
}

/**
 * http://hl7.org/fhir/R4/resource-operation-validate.html: validates without storing. The
 * body is the resource itself or Parameters with a `resource` part; `profile` (a Parameters part
 * or a query parameter) names a profile to validate against besides those in meta.profile. The
 * answer is 200 with an OperationOutcome listing every issue (the operation ran; the outcome
 * says if it is valid). An unknown profile is an issue of that outcome, too.
 *
 * `mode` asks whether a write would be accepted, by the rules the write itself would meet, for
 * the caller: `create`, `update` (of `[type]/[id]/$validate`, or of the resource's id) and
 * `delete` (of `[type]/[id]/$validate`; no resource needed) add the domain rules (a signed note
 * is never deleted, ...) to the content check; `profile` checks against the `profile` given.
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
    instance: true,
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
    const input = validateInput(request.body, target, request.query);
    try {
      if (input.mode !== 'delete') {
        await requireValidResource(ctx, input.resource, target.resourceType, { profiles: input.profile ? [input.profile] : [] });
      }
      if (input.mode === 'create' || input.mode === 'update' || input.mode === 'delete') {
        await checkWriteRules(ctx, input.mode, target, input.resource as Resource | undefined);
      }
    } catch (error) {
      if (error instanceof OutcomeError) {
        return { status: 200, resource: error.outcome };
      }
      throw error;
    }
    return { status: 200, resource: informational('All OK') };
  },
};

/** The resource, profile and mode: from a Parameters body (or the body itself) and the query. */
function validateInput(body: unknown, target: OperationTarget, query: URLSearchParams): ValidateInput {
  const parameters = body as Parameters | undefined;
  const parts = parameters?.resourceType === 'Parameters' ? partsOf(parameters) : undefined;
  const profilePart = parts?.find((p) => p.name === 'profile');
  // A Parameters body without a `resource` part is the resource to check at `Parameters/$validate`.
  const wrapped = parts?.find((p) => p.name === 'resource')?.resource;
  const input: ValidateInput = {
    resource: wrapped ?? (parts && target.resourceType !== 'Parameters' ? undefined : body),
    profile: profilePart?.valueUri ?? profilePart?.valueCanonical ?? profilePart?.valueString ?? query.get('profile') ?? undefined,
    mode: parseMode(parts?.find((p) => p.name === 'mode')?.valueCode ?? query.get('mode') ?? undefined),
  };
  if (input.resource === undefined && input.mode !== 'delete') {
    throw badRequest(
      parts ? '$validate takes the resource to check in a parameter named "resource"' : '$validate needs the resource in a POST body',
      'Parameters.parameter',
    );
  }
  if (input.mode === 'delete' && !target.id) {
    throw badRequest('$validate with mode=delete names the resource to delete: [type]/[id]/$validate', 'mode');
  }
  if (input.mode === 'profile' && !input.profile) {
    throw badRequest('$validate with mode=profile needs the profile to validate against (the profile parameter)', 'profile');
  }
  return input;
}

function parseMode(value: string | undefined): ValidationMode | undefined {
  if (value !== undefined && !(MODES as readonly string[]).includes(value)) {
    throw badRequest(`$validate mode must be one of ${MODES.join(', ')}; got "${value}"`, 'mode');
  }
  return value as ValidationMode | undefined;
}

/** The domain rules a create, update or delete by this caller would meet, checked without writing. */
async function checkWriteRules(
  ctx: FhirContext,
  mode: 'create' | 'update' | 'delete',
  target: OperationTarget,
  resource?: Resource,
): Promise<void> {
  const resourceType = target.resourceType as string;
  const id = target.id ?? (mode === 'update' ? resource?.id : undefined);
  if (mode === 'update' && (!id || resource?.id !== id)) {
    throw badRequest(`An update must carry the id of the resource it replaces${id ? ` (${id})` : ''}`, `${resourceType}.id`);
  }
  const current = id ? await ctx.repo.readCurrent(resourceType, id) : undefined;
  if (mode === 'delete') {
    return enforceWriteRules(ctx, 'DELETE', current, undefined, { checkOnly: true });
  }
  const after = resource as Resource;
  checkStatusChange(ctx.access, current, after);
  return enforceWriteRules(ctx, mode === 'create' ? 'POST' : 'PUT', current, after, { checkOnly: true });
}
