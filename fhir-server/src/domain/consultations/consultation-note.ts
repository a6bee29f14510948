import type { Composition, Encounter, Extension } from '@medplum/fhirtypes';
import { establishesCare } from '../../auth/resource-policy';
import { callerPractitioner } from '../caller';
import { RuleViolation } from '../rule-violation';
import { readReference } from '../stored-writes';
import type { ClientWrite, RuleEnv } from '../write-rules';

/** profiles/StructureDefinition-medbuddy-consultation-note.json: LOINC 11488-4 with the four SOAP sections. */
export const CONSULTATION_NOTE_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-consultation-note';

/** Why a signed note was amended (valueString): required on every amended version. */
export const AMENDMENT_REASON_URL = 'https://medbuddy.dev/fhir/StructureDefinition/amendment-reason';

/**
 * The life of a consultation note written through the REST API: the treating doctor creates
 * and saves drafts (`preliminary`; `If-Match` makes concurrent saves fail with 412); only
 * `$sign` makes it `final`; after that only an amendment (`amended`, with a reason) by its
 * author is accepted, and nothing is ever deleted except a draft.
 */
export async function checkNoteWrite(write: ClientWrite, env: RuleEnv): Promise<void> {
  const doctor = callerPractitioner(env.access);
  if (!doctor) {
    throw new RuleViolation('forbidden', 'Only the treating doctor writes consultation notes');
  }
  const before = write.before as Composition | undefined;
  const after = write.after as Composition | undefined;
  if (before) {
    requireAuthor(before, doctor);
  }
  if (!after) {
    if (before && before.status !== 'preliminary') {
      throw new RuleViolation('business-rule', 'A signed note is never deleted; amend it instead');
    }
    return;
  }
  requireAuthor(after, doctor);
  if (!before) {
    if (after.status !== 'preliminary') {
      throw new RuleViolation('business-rule', 'A new note is a draft (status preliminary); sign it with $sign', 'Composition.status');
    }
    await requireTreatingDoctor(env, after.subject?.reference, after.encounter?.reference, doctor, 'Composition.encounter');
    return;
  }
  if (after.subject?.reference !== before.subject?.reference || after.encounter?.reference !== before.encounter?.reference) {
    throw new RuleViolation('business-rule', 'The patient and the consultation of a note do not change', 'Composition.subject');
  }
  if (before.status === 'preliminary') {
    if (after.status !== 'preliminary') {
      throw new RuleViolation('business-rule', 'A draft is saved as preliminary; sign it with $sign', 'Composition.status');
    }
    return;
  }
  if (after.status !== 'amended') {
    throw new RuleViolation('business-rule', 'A signed note can only be amended (status amended, with a reason)', 'Composition.status');
  }
  if (!amendmentReason(after)) {
    throw new RuleViolation('business-rule', `An amendment needs a reason (extension ${AMENDMENT_REASON_URL})`, 'Composition.extension');
  }
}

/** The reason of an amended version, if it gives one. */
export function amendmentReason(note: Composition): string | undefined {
  const extension = (note.extension ?? []).find((e: Extension) => e.url === AMENDMENT_REASON_URL);
  return extension?.valueString?.trim() || undefined;
}

export function requireAuthor(note: Composition, doctor: string): void {
  if (!(note.author ?? []).some((a) => a.reference === doctor)) {
    throw new RuleViolation('forbidden', 'Only the author of a consultation note writes it', 'Composition.author');
  }
}

/** The Encounter is this doctor's consultation with this patient (not cancelled): they treat them. */
export async function requireTreatingDoctor(
  env: RuleEnv,
  patient: string | undefined,
  encounterReference: string | undefined,
  doctor: string,
  expression: string,
): Promise<void> {
  const encounter = await readReference<Encounter>(env.repo, encounterReference, 'Encounter');
  const treating =
    encounter !== undefined &&
    establishesCare(encounter.status) &&
    encounter.subject?.reference === patient &&
    (encounter.participant ?? []).some((p) => p.individual?.reference === doctor);
  if (!treating) {
    throw new RuleViolation('forbidden', 'Only a doctor of the consultation writes this, about its patient', expression);
  }
}
