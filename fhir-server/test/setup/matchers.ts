import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Response } from 'supertest';
import { OutcomeError } from '../../src/fhir/outcomes';

/** Asserts an error response is an OperationOutcome with this status and first issue code. */
export function expectOutcome(response: Response, status: number, code: string): OperationOutcome {
  expect({ status: response.status, type: response.headers['content-type'] }).toEqual({
    status,
    type: expect.stringContaining('application/fhir+json'),
  });
  const outcome = JSON.parse(response.text) as OperationOutcome;
  expect(outcome.resourceType).toBe('OperationOutcome');
  expect(outcome.issue?.[0]?.code).toBe(code);
  return outcome;
}

/** The OutcomeError a call throws, as status, first issue code and diagnostics; fails if it throws none. */
export function thrownOutcome(fn: () => unknown): { status: number; code?: string; text?: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof OutcomeError) {
      return { status: error.status, code: error.outcome.issue?.[0]?.code, text: error.outcome.issue?.[0]?.diagnostics };
    }
    throw error;
  }
  throw new Error('expected an OutcomeError');
}
