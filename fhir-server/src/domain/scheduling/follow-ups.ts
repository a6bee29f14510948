import type { Appointment, Reference, ServiceRequest } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import { byToken, lockLive, readLive, searchAll, updateVersion } from './resource-store';
import { SchedulingError } from './scheduling-error';
import { idIn } from './slot-checks';

/**
 * A booking `basedOn` follow-up requests: each must be a ServiceRequest the caller can see,
 * about this patient and still active.
 */
export async function checkFollowUpBasis(repo: FhirRepository, basedOn: readonly Reference[], patient: string): Promise<void> {
  for (const reference of basedOn) {
    const id = idIn(reference.reference, 'ServiceRequest');
    const request = id ? await readLive<ServiceRequest>(repo, 'ServiceRequest', id) : undefined;
    if (!request) {
      throw new SchedulingError(
        'invalid',
        `basedOn ${reference.reference ?? '(no reference)'} is not a ServiceRequest you can see`,
        'Appointment.basedOn',
      );
    }
    if (request.resource.subject?.reference !== patient) {
      throw new SchedulingError('invalid', `ServiceRequest/${id} is for another patient`, 'Appointment.basedOn');
    }
    if (request.resource.status !== 'active') {
      throw new SchedulingError('business-rule', `ServiceRequest/${id} is ${request.resource.status}, not active`, 'Appointment.basedOn');
    }
  }
}

/**
 * Completes the follow-up ServiceRequests an Appointment was based on, once it is fulfilled
 * (the consultation took place). `system` may write ServiceRequests. Returns how many changed.
 */
export async function completeFollowUps(system: FhirRepository, appointment: Appointment): Promise<number> {
  if (appointment.status !== 'fulfilled') {
    return 0;
  }
  let completed = 0;
  for (const reference of appointment.basedOn ?? []) {
    const id = idIn(reference.reference, 'ServiceRequest');
    if (!id) {
      continue;
    }
    await system.transaction(async (tx) => {
      const request = await lockLive<ServiceRequest>(tx, 'ServiceRequest', id);
      if (request.resource.status === 'active') {
        await updateVersion(tx, request, { ...request.resource, status: 'completed' });
        completed++;
      }
    });
  }
  return completed;
}

/**
 * Active follow-up ServiceRequests whose Appointment is already fulfilled, however that status
 * was written (the consultation workflow, a PUT, a bundle): completed by the background job.
 */
export async function completeFulfilledFollowUps(system: FhirRepository): Promise<number> {
  const pending = await searchAll<ServiceRequest>(system, 'ServiceRequest', [
    byToken('status', 'active'),
    { kind: 'has', sourceType: 'Appointment', referenceParam: 'based-on', filter: byToken('status', 'fulfilled') },
  ]);
  let completed = 0;
  for (const request of pending) {
    await system.transaction(async (tx) => {
      const current = await lockLive<ServiceRequest>(tx, 'ServiceRequest', request.resource.id);
      if (current.resource.status === 'active') {
        await updateVersion(tx, current, { ...current.resource, status: 'completed' });
        completed++;
      }
    });
  }
  return completed;
}
