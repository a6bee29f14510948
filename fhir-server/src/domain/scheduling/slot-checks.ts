import type { Practitioner, Schedule, Slot } from '@medplum/fhirtypes';
import { isVerifiedPractitioner } from '../../auth/resource-policy';
import type { FhirRepository } from '../../storage/fhir-repository';
import { readLive, type Versioned } from './resource-store';
import { SchedulingError } from './scheduling-error';

export const HOLD_EXPIRES_URL = 'https://medbuddy.dev/fhir/StructureDefinition/hold-expires';

/** Who a slot is with: the practitioner (and role) the Schedule's actors name. */
export interface SlotOwner {
  readonly practitioner: string;
  readonly role?: string;
  readonly schedule: Schedule & { id: string };
}

/** The practitioner of a slot's schedule, who must be verified (active) to be booked. */
export async function bookableOwner(system: FhirRepository, slot: Slot): Promise<SlotOwner> {
  const scheduleId = idIn(slot.schedule?.reference, 'Schedule');
  const schedule = scheduleId ? await readLive<Schedule>(system, 'Schedule', scheduleId) : undefined;
  const practitionerId = schedule?.resource.actor?.map((a) => idIn(a.reference, 'Practitioner')).find(Boolean);
  const practitioner = practitionerId ? await readLive<Practitioner>(system, 'Practitioner', practitionerId) : undefined;
  if (!schedule || !practitioner || schedule.resource.active === false || !isVerifiedPractitioner(practitioner.resource)) {
    throw new SchedulingError('business-rule', 'This slot belongs to a doctor who is not verified or not taking appointments');
  }
  const roleId = schedule.resource.actor?.map((a) => idIn(a.reference, 'PractitionerRole')).find(Boolean);
  return {
    practitioner: `Practitioner/${practitionerId}`,
    role: roleId ? `PractitionerRole/${roleId}` : undefined,
    schedule: schedule.resource,
  };
}

export function requireFuture(slot: Slot, nowMs: number): void {
  if (Date.parse(slot.start) <= nowMs) {
    throw new SchedulingError('business-rule', `Slot/${slot.id} starts in the past (${slot.start})`);
  }
}

/** When the hold on a tentatively busy slot lapses (epoch ms), if it carries one. */
export function holdExpiry(slot: Slot): number | undefined {
  const value = slot.extension?.find((e) => e.url === HOLD_EXPIRES_URL)?.valueInstant;
  return value ? Date.parse(value) : undefined;
}

export function withoutHold(slot: Slot): Slot {
  const extension = slot.extension?.filter((e) => e.url !== HOLD_EXPIRES_URL);
  return { ...slot, extension: extension && extension.length > 0 ? extension : undefined };
}

export function idIn(reference: string | undefined, type: string): string | undefined {
  return new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(reference ?? '')?.[1];
}

export type VersionedSlot = Versioned<Slot>;
