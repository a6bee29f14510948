import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/** Issue codes from the FHIR IssueType value set (http://hl7.org/fhir/R4/valueset-issue-type.html). */
export type IssueCode = OperationOutcomeIssue['code'];

/**
 * The HTTP status for an outcome, derived from its first error issue code
 * (http://hl7.org/fhir/R4/http.html#Status-Codes). Callers may override it where the spec
 * asks for a status the code does not imply (e.g. 405, 406, 410, 412, 415).
 */
const STATUS_BY_ISSUE_CODE: Partial<Record<IssueCode, number>> = {
  invalid: 400,
  structure: 400,
  required: 400,
  value: 400,
  invariant: 400,
  processing: 422,
  'not-supported': 400,
  duplicate: 412,
  'multiple-matches': 412,
  'not-found': 404,
  deleted: 410,
  'too-long': 413,
  'code-invalid': 400,
  extension: 400,
  'too-costly': 400,
  'business-rule': 422,
  conflict: 409,
  security: 403,
  login: 401,
  unknown: 401,
  expired: 401,
  forbidden: 403,
  suppressed: 403,
  exception: 500,
  timeout: 503,
  incomplete: 500,
  throttled: 429,
  transient: 503,
  'lock-error': 409,
  'no-store': 500,
  informational: 200,
};

/** The one error type of the server: an OperationOutcome and the HTTP status to send it with. */
export class OutcomeError extends Error {
  constructor(
    readonly outcome: OperationOutcome,
    readonly status: number = statusForOutcome(outcome),
  ) {
    super(outcome.issue?.[0]?.diagnostics ?? outcome.issue?.[0]?.details?.text ?? 'OperationOutcome');
    this.name = 'OutcomeError';
  }
}

export function statusForOutcome(outcome: OperationOutcome): number {
  const code = outcome.issue?.find((i) => i.severity === 'error' || i.severity === 'fatal')?.code;
  return (code && STATUS_BY_ISSUE_CODE[code]) || (code ? 400 : 200);
}

export function outcome(severity: OperationOutcomeIssue['severity'], code: IssueCode, text: string, expression?: string): OperationOutcome {
  const issue: OperationOutcomeIssue = { severity, code, diagnostics: text };
  if (expression) {
    issue.expression = [expression];
  }
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

export function informational(text: string): OperationOutcome {
  return outcome('information', 'informational', text);
}

function fail(code: IssueCode, status: number, text: string, expression?: string): OutcomeError {
  return new OutcomeError(outcome('error', code, text, expression), status);
}

export const badRequest = (text: string, expression?: string): OutcomeError => fail('invalid', 400, text, expression);
export const notSupported = (text: string, expression?: string): OutcomeError => fail('not-supported', 400, text, expression);
export const notFound = (text: string): OutcomeError => fail('not-found', 404, text);
export const gone = (text: string): OutcomeError => fail('deleted', 410, text);
export const conflict = (text: string): OutcomeError => fail('conflict', 409, text);
export const preconditionFailed = (text: string): OutcomeError => fail('conflict', 412, text);
export const multipleMatches = (text: string): OutcomeError => fail('multiple-matches', 412, text);
export const methodNotAllowed = (text: string): OutcomeError => fail('not-supported', 405, text);
export const notAcceptable = (text: string): OutcomeError => fail('not-supported', 406, text);
export const payloadTooLarge = (text: string): OutcomeError => fail('too-long', 413, text);
export const unsupportedMediaType = (text: string): OutcomeError => fail('not-supported', 415, text);
export const unprocessable = (text: string, expression?: string): OutcomeError => fail('processing', 422, text, expression);
export const tooCostly = (text: string): OutcomeError => fail('too-costly', 400, text);
export const serverError = (): OutcomeError => fail('exception', 500, 'Internal server error');
export const forbidden = (text: string): OutcomeError => fail('forbidden', 403, text);
/** 401: no or invalid credentials; the HTTP layer adds `WWW-Authenticate`. */
export const unauthorized = (text: string): OutcomeError => fail('login', 401, text);
export const tooManyRequests = (text: string): OutcomeError => fail('throttled', 429, text);

/** Wraps a validator's OperationOutcome (all issues kept, with their expressions) as a 400. */
export function invalidResource(validation: OperationOutcome): OutcomeError {
  return new OutcomeError(validation, 400);
}
