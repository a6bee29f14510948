/** What kind of rule a refused request broke; fhir/ maps each to an OperationOutcome issue code. */
export type RuleViolationKind = 'forbidden' | 'business-rule' | 'invalid' | 'not-found' | 'conflict' | 'precondition-failed';

/**
 * A request a domain rule refuses (domain/ cannot import fhir/outcomes.ts). The message is
 * shown to the caller; fhir/rule-outcome.ts turns it into an OutcomeError.
 */
export class RuleViolation extends Error {
  constructor(
    readonly kind: RuleViolationKind,
    message: string,
    /** FHIRPath of the element at fault, when there is one. */
    readonly expression?: string,
  ) {
    super(message);
    this.name = 'RuleViolation';
  }
}
