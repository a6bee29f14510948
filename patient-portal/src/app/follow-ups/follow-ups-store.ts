import { DestroyRef, inject, Injectable, signal } from '@angular/core';
import type { Slot } from '@medplum/fhirtypes';
import type { Subscription } from 'rxjs';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { PollingLiveUpdates } from '../shared/live-updates/polling-live-updates';
import { PatientStore } from '../patient/patient-store';
import { loadForPatient } from '../records/load-records';
import { formatDateTime } from '../patient/time-zone';
import { FollowUpsApi, type FollowUp } from './follow-ups-api';

/**
 * The follow-ups page's state: the recommendations, the free times offered for each (read again
 * at each polling interval while the page is shown, as the booking picker does), booking one.
 */
@Injectable()
export class FollowUpsStore {
  private readonly api = inject(FollowUpsApi);
  private readonly patients = inject(PatientStore);
  private readonly polling = inject(PollingLiveUpdates);
  private watching: Subscription | undefined;

  readonly followUps = signal<FollowUp[]>([]);
  /** Free slots per ServiceRequest id. */
  readonly slots = signal<ReadonlyMap<string, readonly (Slot & { id: string })[]>>(new Map());
  readonly loading = signal(true);
  readonly busySlot = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly message = signal<string | undefined>(undefined);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.watching?.unsubscribe());
  }

  load(): Promise<void> {
    return loadForPatient(this, this.patients, async (patient) => {
      const followUps = patient ? await this.api.list(patient) : [];
      const offered = await Promise.all(
        followUps.map(async (followUp) => [followUp.request.id, followUp.appointment ? [] : await this.api.freeSlots(followUp)] as const),
      );
      this.followUps.set(followUps);
      this.slots.set(new Map(offered));
      this.watchSlots();
    });
  }

  /** Books the slot for the follow-up in one call; on a slot taken meanwhile the times are read again. */
  async book(followUp: FollowUp, slot: Slot & { id: string }): Promise<boolean> {
    this.busySlot.set(slot.id);
    this.error.set(undefined);
    this.message.set(undefined);
    try {
      const appointment = await this.api.book(slot.id, followUp);
      this.followUps.update((all) =>
        all.map((other) =>
          other.request.id === followUp.request.id ? { ...other, appointment: appointment as typeof other.appointment } : other,
        ),
      );
      this.message.set(`Your follow-up with ${followUp.doctorName} is booked for ${formatDateTime(slot.start, this.patients.timeZone())}.`);
      return true;
    } catch (error) {
      this.error.set(outcomeMessage(error));
      await this.refreshSlots(followUp);
      return false;
    } finally {
      this.busySlot.set(undefined);
    }
  }

  /** Patients see free Slots only: a time taken meanwhile is noticed as gone (booking-store.ts). */
  private watchSlots(): void {
    this.watching?.unsubscribe();
    const offered = () => this.followUps().filter((followUp) => !followUp.appointment);
    this.watching = this.polling
      .repeat(
        () => Promise.all(offered().map((followUp) => this.refreshSlots(followUp))),
        () => this.busySlot() !== undefined,
      )
      .subscribe();
  }

  private async refreshSlots(followUp: FollowUp): Promise<void> {
    try {
      const fresh = await this.api.freeSlots(followUp);
      this.slots.update((slots) => new Map([...slots, [followUp.request.id, fresh]]));
    } catch {
      // A booking error is already shown, and a failed periodic read is retried at the next one; the old times stay.
    }
  }
}
