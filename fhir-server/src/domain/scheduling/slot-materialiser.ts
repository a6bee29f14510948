import type { PractitionerRole, Schedule, Slot } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import { availabilityRules } from './availability-rules';
import { byDate, byReference, createVersion, deleteVersion, readLive, searchAll, sortBy, type Versioned } from './resource-store';
import { slotTimes } from './slot-times';

/** Marks the slots the generator made: only those are removed again when rules change. */
export const GENERATED_SLOT_TAG = { system: 'https://medbuddy.dev/fhir/CodeSystem/slot-origin', code: 'generated' } as const;

export interface MaterialiseResult {
  readonly created: number;
  readonly removed: number;
}

/**
 * Brings a Schedule's future free slots in line with the availability rules of its
 * PractitionerRole actor, for `horizonDays` from `nowMs`: generated free slots the rules no
 * longer offer are deleted, offered ones that are missing are created. A booked, held or
 * hand-made slot is never deleted or moved, and no new slot overlaps one. Runs under a lock
 * per schedule, in one transaction; `repo` must be allowed to write the slots.
 */
export async function materialiseSlots(
  repo: FhirRepository,
  scheduleId: string,
  nowMs: number,
  horizonDays: number,
): Promise<MaterialiseResult> {
  return repo.transaction(async (tx) => {
    await tx.lock(`slots:Schedule/${scheduleId}`);
    const schedule = await readLive<Schedule>(tx, 'Schedule', scheduleId);
    const roleId = schedule?.resource.actor?.map((a) => /(?:^|\/)PractitionerRole\/([^/]+)$/.exec(a.reference ?? '')?.[1]).find(Boolean);
    if (!schedule || schedule.resource.active === false || !roleId) {
      return { created: 0, removed: 0 };
    }
    const role = await readLive<PractitionerRole>(tx, 'PractitionerRole', roleId);
    if (!role) {
      return { created: 0, removed: 0 };
    }
    const rules = availabilityRules(role.resource);
    const wanted = role.resource.active === false ? [] : slotTimes(rules, nowMs, nowMs + horizonDays * 86_400_000);
    const existing = await searchAll<Slot>(
      tx,
      'Slot',
      [byReference('schedule', `Schedule/${scheduleId}`, 'Schedule'), byDate('start', 'ge', new Date(nowMs).toISOString())],
      [sortBy('start')],
    );
    const wantedKeys = new Set(wanted.map((w) => `${w.startMs}/${w.endMs}`));
    let removed = 0;
    const kept: Versioned<Slot>[] = [];
    for (const slot of existing) {
      if (isGeneratedFree(slot.resource) && !wantedKeys.has(keyOf(slot.resource))) {
        await deleteVersion(tx, slot);
        removed++;
      } else {
        kept.push(slot);
      }
    }
    const taken = kept.map((s) => ({ startMs: Date.parse(s.resource.start), endMs: Date.parse(s.resource.end) }));
    let created = 0;
    for (const time of wanted) {
      if (taken.some((t) => t.startMs < time.endMs && time.startMs < t.endMs)) {
        continue;
      }
      await createVersion<Slot>(tx, {
        resourceType: 'Slot',
        meta: { tag: [{ ...GENERATED_SLOT_TAG }] },
        schedule: { reference: `Schedule/${scheduleId}` },
        serviceType: schedule.resource.serviceType,
        specialty: schedule.resource.specialty ?? role.resource.specialty,
        status: 'free',
        start: new Date(time.startMs).toISOString(),
        end: new Date(time.endMs).toISOString(),
      });
      created++;
    }
    return { created, removed };
  });
}

function isGeneratedFree(slot: Slot): boolean {
  return (
    slot.status === 'free' &&
    (slot.meta?.tag ?? []).some((t) => t.system === GENERATED_SLOT_TAG.system && t.code === GENERATED_SLOT_TAG.code)
  );
}

function keyOf(slot: Slot): string {
  return `${Date.parse(slot.start)}/${Date.parse(slot.end)}`;
}

/** The Schedules whose actor is this PractitionerRole. */
export async function schedulesOfRole(repo: FhirRepository, roleId: string): Promise<string[]> {
  const schedules = await searchAll<Schedule>(repo, 'Schedule', [byReference('actor', `PractitionerRole/${roleId}`, 'PractitionerRole')]);
  return schedules.map((s) => s.resource.id);
}

/** Every active Schedule with a PractitionerRole actor: what the horizon job extends. */
export async function schedulesWithRules(repo: FhirRepository): Promise<string[]> {
  const schedules = await searchAll<Schedule>(repo, 'Schedule', []);
  return schedules
    .filter((s) => s.resource.active !== false && s.resource.actor?.some((a) => /(?:^|\/)PractitionerRole\//.test(a.reference ?? '')))
    .map((s) => s.resource.id);
}
