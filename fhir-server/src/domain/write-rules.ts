import type { DocumentReference, QuestionnaireResponse, Resource } from '@medplum/fhirtypes';
import type { AccessContext } from '../auth/access-context';
import type { FhirRepository, WriteMethod } from '../storage/fhir-repository';
import { CONSULTATION_NOTE_PROFILE, checkNoteWrite } from './consultations/consultation-note';
import { supersedeReplacedDocuments } from './documents/document-replacement';
import { checkPrescriptionWrite, PRESCRIPTION_PROFILE } from './prescriptions/medication-request-rules';
import { checkRatingUnchanged, checkReviewWrite, isReview, REVIEW_PROFILE } from './reviews/review-rules';

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
  /** The profile every client write of the type (of these resources) must conform to. */
  readonly profile?: string;
  readonly profileApplies?: (resource: Resource) => boolean;
  /** Refuses (RuleViolation) what the caller may not write; trusted backends are not checked. */
  readonly check?: (write: ClientWrite, env: RuleEnv) => Promise<void>;
  /** The writes to other resources that the write entails, in its transaction, for every caller. */
  readonly entails?: (write: ClientWrite, env: RuleEnv) => Promise<void>;
}

/**
 * The resource types whose client writes domain rules own (ARCHITECTURE.md: "domain rules, only
 * for the resource types they own"). Domain services' own writes (signing, aggregates) do not
 * pass through here. Backend clients with `system/*.*` are trusted (EHR import).
 */
const RULES: Readonly<Record<string, TypeRules>> = {
  Composition: { profile: CONSULTATION_NOTE_PROFILE, check: checkNoteWrite },
  MedicationRequest: { profile: PRESCRIPTION_PROFILE, check: checkPrescriptionWrite },
  PractitionerRole: { check: checkRatingUnchanged },
  QuestionnaireResponse: { profile: REVIEW_PROFILE, profileApplies: (r) => isReview(r as QuestionnaireResponse), check: checkReviewWrite },
  DocumentReference: {
    entails: async ({ before, after }, { repo, access }) =>
      after && supersedeReplacedDocuments(repo, after as DocumentReference, before as DocumentReference | undefined, access.unrestricted),
  },
};

/** The profile this client write must conform to, if domain rules own it. */
export function enforcedProfile(resource: Resource, access: AccessContext): string | undefined {
  const rules = RULES[resource.resourceType];
  if (access.unrestricted || !rules?.profile) {
    return undefined;
  }
  return !rules.profileApplies || rules.profileApplies(resource) ? rules.profile : undefined;
}

/** Whether domain rules own client writes of this type (a create then runs in a transaction). */
export function hasWriteRules(resourceType: string): boolean {
  return resourceType in RULES;
}

/** Checks the domain rules of the write: a RuleViolation when one refuses it. */
export async function checkClientWrite(write: ClientWrite, env: RuleEnv): Promise<void> {
  const rules = RULES[write.resourceType];
  if (rules?.check && !env.access.unrestricted) {
    await rules.check(write, env);
  }
}

/** Checks the domain rules of the write (checkClientWrite), then makes the writes it entails. */
export async function applyClientWriteRules(write: ClientWrite, env: RuleEnv): Promise<void> {
  await checkClientWrite(write, env);
  await RULES[write.resourceType]?.entails?.(write, env);
}
