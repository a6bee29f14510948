import type { Resource } from '@medplum/fhirtypes';
import type { AccessContext } from '../auth/access-context';
import type { FhirRepository, WriteMethod } from '../storage/fhir-repository';
import { CONSULTATION_NOTE_PROFILE, checkNoteWrite } from './consultations/consultation-note';
import { checkPrescriptionWrite, PRESCRIPTION_PROFILE } from './prescriptions/medication-request-rules';

/** A create, update, patch or delete a client asks for through the REST API. */
export interface ClientWrite {
  readonly resourceType: string;
  readonly method: WriteMethod;
  /** The live current version, if any. */
  readonly before?: Resource;
  /** The new version; undefined for a delete. */
  readonly after?: Resource;
}

/** The caller and their access-bound repository (inside the write's transaction). */
export interface RuleEnv {
  readonly access: AccessContext;
  readonly repo: FhirRepository;
}

interface TypeRules {
  /** The profile every client write of the type must conform to. */
  readonly profile?: string;
  readonly check: (write: ClientWrite, env: RuleEnv) => Promise<void>;
}

/**
 * The resource types whose client writes domain rules own (ARCHITECTURE.md: "domain rules, only
 * for the resource types they own"). Domain services' own writes (signing, aggregates) do not
 * pass through here. Backend clients with `system/*.*` are trusted (EHR import).
 */
const RULES: Readonly<Record<string, TypeRules>> = {
  Composition: { profile: CONSULTATION_NOTE_PROFILE, check: checkNoteWrite },
  MedicationRequest: { profile: PRESCRIPTION_PROFILE, check: checkPrescriptionWrite },
};

/** The profile client writes of this type must conform to, if domain rules own it. */
export function enforcedProfile(resourceType: string, access: AccessContext): string | undefined {
  return access.unrestricted ? undefined : RULES[resourceType]?.profile;
}

/** Throws RuleViolation when a domain rule refuses the write. */
export async function checkClientWrite(write: ClientWrite, env: RuleEnv): Promise<void> {
  const rules = RULES[write.resourceType];
  if (rules && !env.access.unrestricted) {
    await rules.check(write, env);
  }
}
