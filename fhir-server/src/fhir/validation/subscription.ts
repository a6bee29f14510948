import type { OperationOutcomeIssue, Resource, Subscription } from '@medplum/fhirtypes';
import { allResourceTypes } from '../../definitions';
import { subscriptionProblems } from '../../domain/subscriptions/subscription-rules';

/**
 * A Subscription the server could not serve (criteria it cannot evaluate, a channel other than
 * rest-hook or websocket, a malformed endpoint or header) is refused at write time. Whether the endpoint's
 * host is allowed is decided when it is activated and at each delivery (status error).
 */
export function subscriptionIssues(resource: Resource): OperationOutcomeIssue[] {
  if (resource.resourceType !== 'Subscription') {
    return [];
  }
  return subscriptionProblems(resource as Subscription, allResourceTypes()).map((text) => ({
    severity: 'error',
    code: 'value',
    diagnostics: `Subscription: ${text}`,
    expression: ['Subscription'],
  }));
}
