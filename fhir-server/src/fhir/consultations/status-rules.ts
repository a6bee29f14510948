import type { Resource } from '@medplum/fhirtypes';
import type { AccessContext } from '../../auth/access-context';
import { hasStatusLifecycle, patientMayChangeStatus, statusTransitionProblem } from '../../domain/consultations/status-transitions';
import type { StoredVersion } from '../../storage/fhir-repository';
import { parseStored } from '../interactions/stored-resource';
import { forbidden, outcome, OutcomeError } from '../outcomes';

/**
 * The status lifecycle of Appointment and Encounter, enforced on every create, update and
 * patch (and the waiting-room operations): a change the state machine does not allow is a 422
 * business-rule outcome; patients change a status with an ordinary write only to cancel, and
 * never create an Encounter.
 */
export function checkStatusChange(access: AccessContext, current: StoredVersion | undefined, next: Resource): void {
  const principal = access.principal;
  const isPatient = principal.kind === 'user' && principal.role === 'patient';
  if (isPatient && next.resourceType === 'Encounter' && (!current || current.deleted)) {
    // A finished Encounter is what reviews and care relationships rest on: patients do not write one themselves.
    throw forbidden('A patient does not create Encounters; checking in to an appointment (Appointment/{id}/$check-in) opens one');
  }
  const from = lifecycleStatus(current, next.resourceType);
  const to = (next as { status?: string }).status;
  if (from === undefined || to === undefined || from === to) {
    return;
  }
  if (isPatient && !patientMayChangeStatus(next.resourceType, to)) {
    throw forbidden(
      `A patient cannot set ${next.resourceType}.status to "${to}" with a write; checking in uses Appointment/{id}/$check-in`,
    );
  }
  checkTransition(next.resourceType, from, to);
}

/** The state-machine check alone (for the operations, which check the caller themselves). */
export function checkTransition(resourceType: string, from: string, to: string): void {
  const problem = statusTransitionProblem(resourceType, from, to);
  if (problem) {
    throw businessRule(problem, `${resourceType}.status`);
  }
}

/** 422 with issue code business-rule: the request is well-formed but the rules refuse it now. */
export function businessRule(text: string, expression?: string): OutcomeError {
  return new OutcomeError(outcome('error', 'business-rule', text, expression), 422);
}

function lifecycleStatus(current: StoredVersion | undefined, resourceType: string): string | undefined {
  if (!current || current.deleted || !hasStatusLifecycle(resourceType)) {
    return undefined;
  }
  return (parseStored(current) as { status?: string }).status;
}
