/** Why a scheduling request was refused; the FHIR layer turns it into an OperationOutcome. */
export type SchedulingErrorCode =
  /** Malformed rules or input (400). */
  | 'invalid'
  /** Not there, or not visible to the caller (404). */
  | 'not-found'
  /** The caller may not do this (403). */
  | 'forbidden'
  /** Lost a race or the slot is taken (409). */
  | 'conflict'
  /** Well-formed but against a scheduling rule: past slot, unverified doctor, overlap, window (422). */
  | 'business-rule';

export class SchedulingError extends Error {
  constructor(
    readonly code: SchedulingErrorCode,
    message: string,
    /** FHIRPath of the offending element, when there is one. */
    readonly expression?: string,
  ) {
    super(message);
    this.name = 'SchedulingError';
  }
}
