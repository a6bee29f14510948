import { RuleViolation, type RuleViolationKind } from '../domain/rule-violation';
import { badRequest, conflict, forbidden, notFound, OutcomeError, outcome, preconditionFailed } from './outcomes';

const BY_KIND: Record<RuleViolationKind, (error: RuleViolation) => OutcomeError> = {
  forbidden: (e) => forbidden(e.message),
  'business-rule': (e) => new OutcomeError(outcome('error', 'business-rule', e.message, e.expression), 422),
  invalid: (e) => badRequest(e.message, e.expression),
  'not-found': (e) => notFound(e.message),
  conflict: (e) => conflict(e.message),
  'precondition-failed': (e) => preconditionFailed(e.message),
};

/** A domain rule's refusal as the OperationOutcome error fhir/ throws; anything else unchanged. */
export function toOutcome(error: unknown): unknown {
  return error instanceof RuleViolation ? BY_KIND[error.kind](error) : error;
}

/** Runs domain code, turning its RuleViolations into OutcomeErrors. */
export async function withRuleOutcomes<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toOutcome(error);
  }
}
