import { SchedulingError, type SchedulingErrorCode } from '../../domain/scheduling/scheduling-error';
import { DEFAULT_SCHEDULING, type SchedulingSettings } from '../../domain/scheduling/scheduling-settings';
import type { FhirContext } from '../fhir-request';
import { badRequest, conflict, forbidden, notFound, OutcomeError, unprocessable } from '../outcomes';

const BY_CODE: Record<SchedulingErrorCode, (text: string, expression?: string) => OutcomeError> = {
  invalid: badRequest,
  'not-found': notFound,
  forbidden,
  conflict,
  'business-rule': (text, expression) => {
    const error = unprocessable(text, expression);
    const issue = { ...error.outcome.issue![0], code: 'business-rule' as const };
    return new OutcomeError({ resourceType: 'OperationOutcome', issue: [issue] }, 422);
  },
};

/** Runs scheduling work, turning its SchedulingErrors into OperationOutcomes (400/403/404/409/422). */
export async function scheduling<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SchedulingError) {
      throw BY_CODE[error.code](error.message, error.expression);
    }
    throw error;
  }
}

export function settingsOf(ctx: FhirContext): SchedulingSettings {
  return ctx.scheduling ?? DEFAULT_SCHEDULING;
}
