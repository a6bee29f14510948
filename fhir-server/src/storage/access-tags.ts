import type {
  Appointment,
  Encounter,
  Practitioner,
  PractitionerRole,
  Reference,
  Resource,
  Schedule,
  Slot,
  Subscription,
} from '@medplum/fhirtypes';
import { criteriaSubjects } from '../auth/subscription-subjects';
import { credentialOwner, establishesCare, isVerifiedPractitioner, PUBLIC_SLOT_STATUS } from '../auth/resource-policy';

export const VERIFIED_TAG = 'verified';
export const FREE_SLOT_TAG = `status:${PUBLIC_SLOT_STATUS}`;
/** `criteria:Practitioner/<id>`: a Subscription limited to what concerns that practitioner (its owner's own data). */
export const CRITERIA_TAG_PREFIX = 'criteria:';
/** `care:Practitioner/<id>`: a participant of an Appointment or Encounter that establishes care. */
export const CARE_TAG_PREFIX = 'care:';
/** `credential`: a practitioner's credential document or its Binary (administrators read them to verify doctors). */
export const CREDENTIAL_TAG = 'credential';
/** `credential:Practitioner/<id>`: whose credential document it is (its owner reads and writes it). */
export const CREDENTIAL_TAG_PREFIX = 'credential:';

/**
 * The facts the access filters need about one version (see the access-tags migration):
 * read straight from the JSON, so they do not depend on which search parameters are indexed.
 */
export function accessTags(resource: Resource): string[] {
  const tags: string[] = [];
  switch (resource.resourceType) {
    case 'Practitioner':
      if (isVerifiedPractitioner(resource as Practitioner)) {
        tags.push(VERIFIED_TAG);
      }
      break;
    case 'PractitionerRole':
      pushRef(tags, 'practitioner', (resource as PractitionerRole).practitioner, 'Practitioner');
      break;
    case 'Schedule':
      for (const actor of (resource as Schedule).actor ?? []) {
        pushRef(tags, 'actor', actor, 'Practitioner');
      }
      break;
    case 'Slot':
      pushRef(tags, 'schedule', (resource as Slot).schedule, 'Schedule');
      if ((resource as Slot).status === PUBLIC_SLOT_STATUS) {
        tags.push(FREE_SLOT_TAG);
      }
      break;
    case 'Appointment': {
      const { participant, status } = resource as Appointment;
      pushParticipants(
        tags,
        (participant ?? []).map((p) => p.actor),
        establishesCare(status),
      );
      break;
    }
    case 'Subscription': {
      // One owner: criteria naming a patient belong to that patient (its compartment), and only
      // others to the practitioner they name, so neither reads the other's hooks and headers.
      const criteria = (resource as Subscription).criteria;
      if (criteriaSubjects(criteria, 'Patient').length === 0) {
        for (const practitioner of criteriaSubjects(criteria, 'Practitioner')) {
          tags.push(`${CRITERIA_TAG_PREFIX}${practitioner}`);
        }
      }
      break;
    }
    case 'Encounter': {
      const { participant, status } = resource as Encounter;
      pushParticipants(
        tags,
        (participant ?? []).map((p) => p.individual),
        establishesCare(status),
      );
      break;
    }
    case 'DocumentReference':
    case 'Binary': {
      const owner = credentialOwner(resource);
      if (owner) {
        tags.push(CREDENTIAL_TAG, `${CREDENTIAL_TAG_PREFIX}${owner}`);
      }
      break;
    }
  }
  return [...new Set(tags)];
}

/** `Practitioner/1`, from a relative or absolute reference to this server, if it is of that type. */
export function referencedId(reference: Reference | undefined, type: string): string | undefined {
  const match = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(reference?.reference ?? '');
  return match?.[1];
}

/** `participant:` tags for every practitioner, and `care:` tags too while the encounter or appointment is on. */
function pushParticipants(tags: string[], actors: readonly (Reference | undefined)[], care: boolean): void {
  for (const actor of actors) {
    pushRef(tags, 'participant', actor, 'Practitioner');
    if (care) {
      pushRef(tags, 'care', actor, 'Practitioner');
    }
  }
}

function pushRef(tags: string[], name: string, reference: Reference | undefined, type: string): void {
  const id = referencedId(reference, type);
  if (id) {
    tags.push(`${name}:${type}/${id}`);
  }
}
