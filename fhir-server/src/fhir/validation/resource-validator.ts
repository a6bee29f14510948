import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { elementIndex, isResourceType } from '../../definitions';
import { badRequest, invalidResource } from '../outcomes';
import { requiredBindingIssues } from './required-bindings';
import { isValidId } from './resource-id';
import { searchParameterIssues } from './search-parameter';

/**
 * Checks that a request body is a structurally valid R4 resource (of the expected type, when
 * given) and returns it typed. Throws a 400 OperationOutcome listing every issue with its path.
 */
export function requireValidResource(body: unknown, expectedType?: string): Resource {
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
  try {
    validateResource(body as Resource);
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      throw invalidResource(withPreciseCodes(error.outcome as OperationOutcome));
    }
    throw error;
  }
  const bindingIssues = [...requiredBindingIssues(body as Resource, elementIndex), ...searchParameterIssues(body as Resource)];
  if (bindingIssues.length > 0) {
    throw invalidResource({ resourceType: 'OperationOutcome', issue: bindingIssues });
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
