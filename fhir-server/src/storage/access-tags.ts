import type { Appointment, Encounter, Practitioner, PractitionerRole, Reference, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { isVerifiedPractitioner, PUBLIC_SLOT_STATUS } from '../auth/resource-policy';

export const VERIFIED_TAG = 'verified';
export const FREE_SLOT_TAG = `status:${PUBLIC_SLOT_STATUS}`;

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
    case 'Appointment':
      for (const participant of (resource as Appointment).participant ?? []) {
        pushRef(tags, 'participant', participant.actor, 'Practitioner');
      }
      break;
    case 'Encounter':
      for (const participant of (resource as Encounter).participant ?? []) {
        pushRef(tags, 'participant', participant.individual, 'Practitioner');
      }
      break;
  }
  return [...new Set(tags)];
}

/** `Practitioner/1`, from a relative or absolute reference to this server, if it is of that type. */
export function referencedId(reference: Reference | undefined, type: string): string | undefined {
  const match = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(reference?.reference ?? '');
  return match?.[1];
}

function pushRef(tags: string[], name: string, reference: Reference | undefined, type: string): void {
  const id = referencedId(reference, type);
  if (id) {
    tags.push(`${name}:${type}/${id}`);
  }
}
