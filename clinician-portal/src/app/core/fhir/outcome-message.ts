import { HttpErrorResponse } from '@angular/common/http';
import type { CodeableConcept, OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/** What to tell a person when the server gives no words of its own, by HTTP status. */
const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  400: 'The request was not valid. Check what you entered and try again.',
  401: 'Your session has ended. Please sign in again.',
  403: 'You do not have permission to do this.',
  404: 'We could not find what you asked for. It may have been removed.',
  405: 'This action is not available here.',
  409: 'Someone else changed this at the same time. Reload and try again.',
  410: 'This has been deleted.',
  412: 'This was changed by someone else after you opened it. Reload to see the latest version.',
  413: 'This is too large to send.',
  415: 'This kind of file or data is not accepted.',
  422: 'The server could not accept this. Check what you entered and try again.',
  429: 'Too many attempts. Wait a minute and try again.',
};

const OFFLINE = 'Cannot reach MedBuddy. Check your internet connection and try again.';
const SERVER_FAULT = 'MedBuddy ran into a problem. Please try again in a moment.';
const UNKNOWN = 'Something went wrong. Please try again.';

/** Issue codes (FHIR IssueType) with no text: a sentence a patient or doctor can act on. */
const ISSUE_MESSAGES: Readonly<Record<string, string>> = {
  security: 'You do not have permission to do this.',
  forbidden: 'You do not have permission to do this.',
  login: 'Please sign in again.',
  expired: 'Your session has ended. Please sign in again.',
  'not-found': 'We could not find what you asked for. It may have been removed.',
  deleted: 'This has been deleted.',
  conflict: 'Someone else changed this at the same time. Reload and try again.',
  duplicate: 'This already exists.',
  throttled: 'Too many attempts. Wait a minute and try again.',
  timeout: 'The server took too long to answer. Please try again.',
  'too-costly': 'This request asks for too much at once. Narrow it down and try again.',
};

/**
 * A clear, human sentence for any failure of a FHIR or OAuth call: the OperationOutcome's own
 * words (http://hl7.org/fhir/R4/operationoutcome.html), an OAuth `error_description`
 * (RFC 6749 section 5.2), or a message for the HTTP status or for a lost connection.
 */
export function outcomeMessage(error: unknown): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === 0) {
      return OFFLINE;
    }
    return bodyMessage(error.error) ?? statusMessage(error.status);
  }
  return bodyMessage(error) ?? (error instanceof Error && error.message ? error.message : UNKNOWN);
}

export function isOperationOutcome(value: unknown): value is OperationOutcome {
  return typeof value === 'object' && value !== null && (value as { resourceType?: unknown }).resourceType === 'OperationOutcome';
}

/** The failing issues of an outcome, most severe first; informational issues are left out. */
export function failingIssues(outcome: OperationOutcome): OperationOutcomeIssue[] {
  const rank = { fatal: 0, error: 1, warning: 2, information: 3 } as const;
  return (outcome.issue ?? []).filter((issue) => issue.severity !== 'information').sort((a, b) => rank[a.severity] - rank[b.severity]);
}

function bodyMessage(body: unknown): string | undefined {
  if (isOperationOutcome(body)) {
    return outcomeText(body);
  }
  if (typeof body === 'string') {
    return parsedBodyMessage(body);
  }
  if (typeof body === 'object' && body !== null) {
    const oauth = body as { error?: unknown; error_description?: unknown };
    if (typeof oauth.error_description === 'string' && oauth.error_description) {
      return sentence(oauth.error_description);
    }
    if (typeof oauth.error === 'string' && oauth.error) {
      return oauthErrorText(oauth.error);
    }
  }
  return undefined;
}

/** A body the HttpClient could not parse as JSON arrives as text; it may still be JSON. */
function parsedBodyMessage(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? bodyMessage(parsed) : undefined;
  } catch {
    return undefined;
  }
}

function outcomeText(outcome: OperationOutcome): string | undefined {
  const texts = failingIssues(outcome)
    .map(issueText)
    .filter((text): text is string => !!text);
  const unique = [...new Set(texts)];
  return unique.length > 0 ? unique.join(' ') : undefined;
}

function issueText(issue: OperationOutcomeIssue): string | undefined {
  const own = issue.diagnostics ?? conceptText(issue.details);
  if (own) {
    return sentence(own);
  }
  return ISSUE_MESSAGES[issue.code];
}

function conceptText(concept: CodeableConcept | undefined): string | undefined {
  return concept?.text ?? concept?.coding?.find((coding) => coding.display)?.display;
}

function statusMessage(status: number): string {
  return STATUS_MESSAGES[status] ?? (status >= 500 ? SERVER_FAULT : UNKNOWN);
}

function oauthErrorText(code: string): string {
  switch (code) {
    case 'access_denied':
      return 'Sign-in was cancelled.';
    case 'invalid_grant':
      return 'Your sign-in has expired. Please sign in again.';
    case 'invalid_client':
    case 'unauthorized_client':
      return 'This app is not registered with MedBuddy.';
    case 'invalid_scope':
      return 'This app asked for access MedBuddy cannot grant.';
    default:
      return UNKNOWN;
  }
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
