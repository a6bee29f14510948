import type { Appointment, Extension, Practitioner, Reference, VerificationResult } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import { byDate, byReference, byToken, createVersion, lockLive, searchAll, updateVersion } from '../scheduling/resource-store';

export const VERIFICATION_STATUS_URL = 'https://medbuddy.dev/fhir/StructureDefinition/verification-status';
export const VERIFICATION_REASON_URL = 'https://medbuddy.dev/fhir/StructureDefinition/verification-reason';
export const VERIFICATION_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-practitioner-verification';

/** An administrator's decision about a doctor's credentials. */
export type VerificationDecision = 'validated' | 'rejected' | 'suspended';

const RESULT_STATUS: Record<VerificationDecision, VerificationResult['status']> = {
  validated: 'validated',
  rejected: 'val-fail',
  suspended: 'reval-fail',
};
const PRACTITIONER_STATUS: Record<VerificationDecision, string> = { validated: 'verified', rejected: 'rejected', suspended: 'suspended' };

export interface VerificationOutcome {
  readonly result: VerificationResult & { id: string };
  readonly practitioner: Practitioner & { id: string };
  /** The doctor's appointments still to come, left as they are for someone to follow up. */
  readonly futureAppointments: readonly Reference[];
}

/**
 * Records a verification decision in one transaction: a VerificationResult (target the
 * Practitioner, status, who and when, reason) and the Practitioner made active and
 * discoverable (validated) or inactive and hidden from discovery (rejected, suspended). Nothing
 * is cancelled: the doctor's future appointments are returned for follow-up. `system` may
 * write both (the caller checked the administrator).
 */
export async function recordVerification(
  system: FhirRepository,
  practitionerId: string,
  decision: VerificationDecision,
  reason: string,
  verifier: { readonly display: string },
  nowMs: number,
): Promise<VerificationOutcome> {
  return system.transaction(async (tx) => {
    const practitioner = await lockLive<Practitioner>(tx, 'Practitioner', practitionerId);
    const now = new Date(nowMs).toISOString();
    const result = await createVersion<VerificationResult>(tx, {
      resourceType: 'VerificationResult',
      meta: { profile: [VERIFICATION_PROFILE] },
      target: [{ reference: `Practitioner/${practitionerId}` }],
      status: RESULT_STATUS[decision],
      statusDate: now,
      extension: [{ url: VERIFICATION_REASON_URL, valueCodeableConcept: { text: reason } }],
      attestation: { who: { display: verifier.display }, date: now.slice(0, 10) },
    });
    const extension: Extension[] = [
      ...(practitioner.resource.extension ?? []).filter((e) => e.url !== VERIFICATION_STATUS_URL),
      { url: VERIFICATION_STATUS_URL, valueCode: PRACTITIONER_STATUS[decision] },
    ];
    const updated = await updateVersion(tx, practitioner, { ...practitioner.resource, active: decision === 'validated', extension });
    const upcoming = await searchAll<Appointment>(tx, 'Appointment', [
      byReference('actor', `Practitioner/${practitionerId}`, 'Practitioner'),
      byDate('date', 'ge', now),
      byToken('status', 'proposed', 'pending', 'booked'),
    ]);
    return {
      result: result.resource,
      practitioner: updated.resource,
      futureAppointments: upcoming.map((a) => ({ reference: `Appointment/${a.resource.id}` })),
    };
  });
}
