import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Response } from 'supertest';

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
