import type { OperationDefinition } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir-request';

/** The resource (type, or type and id) an operation was invoked on; empty at system level. */
export interface OperationTarget {
  readonly resourceType?: string;
  readonly id?: string;
}

/**
 * An operation is its OperationDefinition plus a handler. The definition's `system`, `type`,
 * `instance`, `resource` and `affectsState` drive routing and the CapabilityStatement.
 */
export interface FhirOperation {
  readonly definition: OperationDefinition & { code: string };
  handle(ctx: FhirContext, request: FhirRequest, target: OperationTarget): Promise<FhirResponse>;
}

/** `resource` of an operation on any type: R4 allows the abstract type `Resource`; @medplum/fhirtypes does not list it. */
export const ANY_RESOURCE_TYPE = ['Resource'] as unknown as OperationDefinition['resource'];

/** Whether an operation can be invoked on a resource type (`Resource` in the definition means any). */
export function appliesToType(operation: FhirOperation, resourceType: string): boolean {
  const types = (operation.definition.resource ?? []) as readonly string[];
  return types.includes('Resource') || types.includes(resourceType);
}
