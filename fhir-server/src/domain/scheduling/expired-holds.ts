import type { Appointment, Slot } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import { byDate, byToken, lockLive, searchAll, updateVersion } from './resource-store';
import { holdExpiry, withoutHold } from './slot-checks';

/**
 * Frees slots whose hold lapsed: the pending Appointment of the hold is cancelled and the Slot
 * is free again. Booking does this lazily for the slot it wants; the job for all. `system` may
 * write both. Returns how many holds were released.
 */
export async function releaseExpiredHolds(system: FhirRepository, nowMs: number): Promise<number> {
  const held = await searchAll<Slot>(system, 'Slot', [
    byToken('status', 'busy-tentative'),
    byDate('hold-expires', 'lt', new Date(nowMs).toISOString()),
  ]);
  let released = 0;
  for (const candidate of held) {
    await system.transaction(async (tx) => {
      const slot = await lockLive<Slot>(tx, 'Slot', candidate.resource.id);
      const expiry = holdExpiry(slot.resource);
      if (slot.resource.status !== 'busy-tentative' || expiry === undefined || expiry > nowMs) {
        return;
      }
      const holderId = await tx.slotHolder(slot.resource.id);
      if (holderId) {
        const holder = await lockLive<Appointment>(tx, 'Appointment', holderId);
        if (holder.resource.status !== 'pending') {
          return;
        }
        await updateVersion(tx, holder, { ...holder.resource, status: 'cancelled', cancelationReason: { text: 'Hold expired' } });
      }
      await updateVersion(tx, slot, { ...withoutHold(slot.resource), status: 'free' });
      released++;
    });
  }
  return released;
}
