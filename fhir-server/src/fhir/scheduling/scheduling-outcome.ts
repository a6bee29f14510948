import { SchedulingError, type SchedulingErrorCode } from '../../domain/scheduling/scheduling-error';
import { DEFAULT_SCHEDULING, type SchedulingSettings } from '../../domain/scheduling/scheduling-settings';
import type { Resource } from '@medplum/fhirtypes';
import { idIn } from '../../domain/scheduling/slot-checks';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { isValidId } from '../validation/resource-id';
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

/** The slot id of `Slot/<id>` or a bare id; undefined for anything else. */
export function slotIdOf(value: string | undefined): string | undefined {
  return idIn(value, 'Slot') ?? (value && isValidId(value) ? value : undefined);
}

/** 200 with the resource a scheduling operation changed, its version and time as headers. */
export function changedResource(resource: Resource): FhirResponse {
  return { status: 200, resource, versionId: Number(resource.meta?.versionId), lastUpdated: resource.meta?.lastUpdated };
}
