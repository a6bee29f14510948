import { HttpErrorResponse } from '@angular/common/http';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { failingIssues, isOperationOutcome, outcomeMessage } from './outcome-message';

function httpError(status: number, error: unknown): HttpErrorResponse {
  return new HttpErrorResponse({ status, error, url: 'http://medbuddy.test/fhir/Patient' });
}

describe('outcomeMessage', () => {
  it('uses the diagnostics of an OperationOutcome (operationoutcome.html), as a sentence', () => {
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invalid', diagnostics: 'birthDate must be a date' }],
    };
    expect(outcomeMessage(httpError(400, outcome))).toBe('BirthDate must be a date.');
  });

  it('puts the most severe issues first, leaves out information and repeats nothing', () => {
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'information', code: 'informational', diagnostics: 'All OK' },
        { severity: 'warning', code: 'business-rule', diagnostics: 'Slot is soon.' },
        { severity: 'error', code: 'conflict', diagnostics: 'Slot already booked.' },
        { severity: 'error', code: 'conflict', diagnostics: 'Slot already booked.' },
      ],
    };
    expect(outcomeMessage(httpError(409, outcome))).toBe('Slot already booked. Slot is soon.');
    expect(failingIssues(outcome).map((i) => i.severity)).toEqual(['error', 'error', 'warning']);
  });

  it('falls back to details.text, then a coding display, then the issue code', () => {
    const withDetails: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'processing', details: { coding: [{ code: 'x', display: 'Fee is out of range' }] } }],
    };
    expect(outcomeMessage(httpError(422, withDetails))).toBe('Fee is out of range.');
    const bare: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden' }] };
    expect(outcomeMessage(httpError(403, bare))).toBe('You do not have permission to do this.');
  });

  it('uses the HTTP status when the outcome says nothing a person can read', () => {
    const silent: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] };
    expect(outcomeMessage(httpError(412, silent))).toContain('changed by someone else');
    expect(outcomeMessage(httpError(503, null))).toBe('MedBuddy ran into a problem. Please try again in a moment.');
    expect(outcomeMessage(httpError(429, null))).toBe('Too many attempts. Wait a minute and try again.');
  });

  it('explains a lost connection (status 0)', () => {
    expect(outcomeMessage(httpError(0, new ProgressEvent('error')))).toContain('Cannot reach MedBuddy');
  });

  it('reads OAuth error responses (RFC 6749 section 5.2)', () => {
    expect(outcomeMessage(httpError(400, { error: 'invalid_grant', error_description: 'the code was already used' }))).toBe(
      'The code was already used.',
    );
    expect(outcomeMessage(httpError(400, { error: 'invalid_grant' }))).toBe('Your sign-in has expired. Please sign in again.');
  });

  it('reads an OperationOutcome that arrived as text', () => {
    const text = JSON.stringify({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Patient/x is gone' }],
    });
    expect(outcomeMessage(httpError(404, text))).toBe('Patient/x is gone.');
    expect(outcomeMessage(httpError(404, '<html>nope</html>'))).toBe('We could not find what you asked for. It may have been removed.');
  });

  it('accepts an OperationOutcome or an Error directly (e.g. a Bundle entry outcome)', () => {
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'fatal', code: 'structure', diagnostics: 'Bad JSON' }],
    };
    expect(isOperationOutcome(outcome)).toBe(true);
    expect(outcomeMessage(outcome)).toBe('Bad JSON.');
    expect(outcomeMessage(new Error('State does not match.'))).toBe('State does not match.');
    expect(outcomeMessage(undefined)).toBe('Something went wrong. Please try again.');
  });
});
