import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Bundle, OperationOutcome, OperationOutcomeIssue, Parameters, Resource } from '@medplum/fhirtypes';
import { elementIndex, isResourceType } from '../../definitions';
import type { FhirContext } from '../fhir-request';
import { badRequest, invalidResource } from '../outcomes';
import { terminologyFor } from '../terminology/resolve-canonical';
import type { TerminologySource } from '../terminology/terminology-source';
import { passesFastStructureCheck } from './fast-structure-check';
import { profileIssues } from './profile-conformance';
import { arrayShapeCheck, elementValueCheck, elementValueIssues, objectShapeCheck } from './element-values';
import { requiredBindingCheck } from './required-bindings';
import { isPlainObject, walkElements } from './element-walk';
import { isValidId } from './resource-id';
import { narrativeCheck } from './narrative';
import { searchParameterIssues } from './search-parameter';
import { subscriptionIssues } from './subscription';

export interface ValidationOptions {
  /** Profiles to check besides those the resource declares in meta.profile (`$validate?profile=`). */
  readonly profiles?: readonly string[];
}

/**
 * Checks that a request body is a valid R4 resource (of the expected type, when given) that
 * conforms to the profiles it declares in meta.profile, and returns it typed. Throws a 400
 * OperationOutcome listing every issue with its path.
 */
export async function requireValidResource(
  ctx: FhirContext,
  body: unknown,
  expectedType?: string,
  options: ValidationOptions = {},
): Promise<Resource> {
  return requireConformingResource(body, terminologyFor(ctx), expectedType, options);
}

/** requireValidResource with the terminology given (tests, and checking the profiles package). */
export async function requireConformingResource(
  body: unknown,
  terminology: TerminologySource,
  expectedType?: string,
  options: ValidationOptions = {},
): Promise<Resource> {
  const resource = requireValidStructure(body, expectedType);
  const profiles = [...(resource.meta?.profile ?? []), ...(options.profiles ?? [])];
  if (profiles.length > 0) {
    const issues = await profileIssues(resource, profiles, terminology);
    if (issues.length > 0) {
      throw invalidResource({ resourceType: 'OperationOutcome', issue: issues });
    }
  }
  return resource;
}

/**
 * Checks a batch or transaction Bundle's own elements against R4 (structure, id, required
 * bindings), without its entries' resources: each of those is validated by the interaction its
 * entry asks for, so a batch entry with an invalid resource fails alone.
 */
export function requireValidBundle(body: unknown): Bundle {
  const entries = (body as { entry?: unknown } | null)?.entry;
  const envelope = Array.isArray(entries)
    ? { ...(body as object), entry: entries.map((entry: unknown) => (isPlainObject(entry) ? withoutResource(entry) : entry)) }
    : body;
  requireValidStructure(envelope, 'Bundle');
  return body as Bundle;
}

/**
 * Checks an operation's Parameters body against R4 (unknown elements, value types, inv-1: one
 * value, resource or part per parameter), without the resources it carries: the operation
 * checks those as what it expects (a resource to validate, to book, to import).
 */
export function requireValidParameters(body: unknown): Parameters {
  const envelope =
    isPlainObject(body) && body.parameter !== undefined ? { ...body, parameter: withPlaceholderResources(body.parameter) } : body;
  requireValidStructure(envelope, 'Parameters');
  return body as Parameters;
}

/** Parameter parts (nested ones too) with each carried resource replaced by an empty, valid one. */
function withPlaceholderResources(parts: unknown): unknown {
  if (!Array.isArray(parts)) {
    return parts;
  }
  return parts.map((part: unknown) => {
    if (!isPlainObject(part)) {
      return part;
    }
    const { resource, part: nested, ...rest } = part;
    return {
      ...rest,
      ...(resource === undefined ? {} : { resource: isPlainObject(resource) ? { resourceType: 'Parameters' } : resource }),
      ...(nested === undefined ? {} : { part: withPlaceholderResources(nested) }),
    };
  });
}

function withoutResource({ resource: _resource, ...entry }: Record<string, unknown>): Record<string, unknown> {
  return entry;
}

/** The base R4 checks: structure (@medplum/core), id rules and base required bindings. */
function requireValidStructure(body: unknown, expectedType?: string): Resource {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a FHIR resource (a JSON object)');
  }
  const resourceType = (body as { resourceType?: unknown }).resourceType;
  if (typeof resourceType !== 'string' || !isResourceType(resourceType)) {
    throw badRequest(`Unknown or missing resourceType ${JSON.stringify(resourceType ?? null)}`, 'resourceType');
  }
  if (expectedType && resourceType !== expectedType) {
    throw badRequest(`resourceType ${resourceType} does not match the URL type ${expectedType}`, 'resourceType');
  }
  const id = (body as { id?: unknown }).id;
  if (id !== undefined && (typeof id !== 'string' || !isValidId(id))) {
    throw badRequest(`Resource id ${JSON.stringify(id)} is not a valid FHIR id`, `${resourceType}.id`);
  }
  // The fast check only ever says yes when the full validator would; otherwise the full one decides.
  if (!passesFastStructureCheck(body as Resource)) {
    try {
      validateResource(body as Resource);
    } catch (error) {
      if (error instanceof OperationOutcomeError) {
        throw invalidResource(withPreciseCodes(error.outcome as OperationOutcome));
      }
      // The validator throws plain Errors on some shapes it does not expect; ours name them.
      const issues = elementValueIssues(body as Resource, elementIndex);
      throw invalidResource({
        resourceType: 'OperationOutcome',
        issue: issues.length > 0 ? issues : [{ severity: 'error', code: 'structure', diagnostics: String(error) }],
      });
    }
  }
  // One walk of the element values for the checks the structure validator does not make.
  const issues: OperationOutcomeIssue[] = [];
  const values = elementValueCheck(issues);
  const bindings = requiredBindingCheck(elementIndex, issues);
  const narratives = narrativeCheck(issues);
  walkElements(
    body as Resource,
    elementIndex,
    (value, element, expression) => {
      values(value, element, expression);
      bindings(value, element, expression);
      narratives(value, element, expression);
    },
    arrayShapeCheck(issues),
    objectShapeCheck(elementIndex, issues),
  );
  issues.push(...searchParameterIssues(body as Resource), ...subscriptionIssues(body as Resource));
  if (issues.length > 0) {
    throw invalidResource({ resourceType: 'OperationOutcome', issue: issues });
  }
  return body as Resource;
}

/** The validator files missing elements under `structure`; FHIR has the `required` code for them. */
function withPreciseCodes(outcome: OperationOutcome): OperationOutcome {
  return {
    ...outcome,
    issue: (outcome.issue ?? []).map((issue) =>
      issue.details?.text?.startsWith('Missing required property') ? { ...issue, code: 'required' } : issue,
    ),
  };
}
