import { isDeepStrictEqual } from 'node:util';
import type { MedicationRequest } from '@medplum/fhirtypes';
import { callerPractitioner } from '../caller';
import { requireTreatingDoctor } from '../consultations/consultation-note';
import { RuleViolation } from '../rule-violation';
import type { ClientWrite, RuleEnv } from '../write-rules';

/** profiles/StructureDefinition-medbuddy-prescription.json. */
export const PRESCRIPTION_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-prescription';

/** Once issued, an item changes only by being called off. */
const CANCELLING_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'stopped', 'entered-in-error']);

/**
 * Prescriptions written through the REST API: the treating doctor of the encounter issues
 * them as themselves; only the prescriber changes a draft or cancels an issued item (nothing
 * else of an issued item changes); nothing issued is deleted.
 */
export async function checkPrescriptionWrite(write: ClientWrite, env: RuleEnv): Promise<void> {
  const doctor = callerPractitioner(env.access);
  if (!doctor) {
    throw new RuleViolation('forbidden', 'Only the prescriber writes or cancels a prescription');
  }
  const before = write.before as MedicationRequest | undefined;
  const after = write.after as MedicationRequest | undefined;
  for (const version of [before, after]) {
    if (version && version.requester?.reference !== doctor) {
      throw new RuleViolation('forbidden', 'Only the prescriber writes or cancels a prescription', 'MedicationRequest.requester');
    }
  }
  if (!before) {
    if (after?.status !== 'active' && after?.status !== 'draft') {
      throw new RuleViolation('business-rule', 'A new prescription is active or draft', 'MedicationRequest.status');
    }
    await requireTreatingDoctor(env, after.subject?.reference, after.encounter?.reference, doctor, 'MedicationRequest.encounter');
    return;
  }
  if (before.status === 'draft') {
    if (after && (after.subject?.reference !== before.subject?.reference || after.encounter?.reference !== before.encounter?.reference)) {
      throw new RuleViolation(
        'business-rule',
        'The patient and the consultation of a prescription do not change',
        'MedicationRequest.subject',
      );
    }
    return;
  }
  if (!after) {
    throw new RuleViolation('business-rule', 'An issued prescription is cancelled (status cancelled), never deleted');
  }
  if (!CANCELLING_STATUSES.has(after.status) || CANCELLING_STATUSES.has(before.status) || !sameExceptStatus(before, after)) {
    throw new RuleViolation(
      'business-rule',
      'An issued prescription only changes by being cancelled (status and statusReason)',
      'MedicationRequest.status',
    );
  }
}

function sameExceptStatus(before: MedicationRequest, after: MedicationRequest): boolean {
  const strip = ({ meta: _meta, status: _status, statusReason: _reason, ...rest }: MedicationRequest) => rest;
  return isDeepStrictEqual(strip(before), strip(after));
}
