import { DestroyRef, inject, Injectable, signal } from '@angular/core';
import type { Appointment, Slot } from '@medplum/fhirtypes';
import type { Subscription } from 'rxjs';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import { PollingLiveUpdates } from '../../shared/live-updates/polling-live-updates';
import { PatientStore } from '../../patient/patient-store';
import type { Choice } from '../../terminology/value-set-api';
import { BookingApi, OverlapError, SlotTakenError, type BookingRequest, type Hold } from '../booking-api';
import { DoctorDirectory } from '../doctor-directory';
import type { DoctorSummary } from '../doctor-summary';

/** How far ahead the picker looks. */
export const BOOKING_WINDOW_DAYS = 14;

/**
 * One booking: the doctor's free times, the time picked (held for the patient with
 * `Appointment/$hold`), and the confirmation (`$book`), or, when rescheduling, the move of the
 * appointment (`$reschedule`). A time taken by someone else meanwhile is explained and the free
 * times are read again. A hold the patient does not confirm is released when they pick another
 * time or leave the page. The free times shown are kept current without a reload (another
 * patient's hold or booking, the doctor's new hours).
 */
@Injectable()
export class BookingStore {
  private readonly directory = inject(DoctorDirectory);
  private readonly booking = inject(BookingApi);
  private readonly patients = inject(PatientStore);
  private readonly polling = inject(PollingLiveUpdates);
  private hold: Hold | undefined;
  private watching: Subscription | undefined;
  /** The appointment this booking moves, when rescheduling. */
  private rescheduling: string | undefined;

  readonly doctor = signal<DoctorSummary | undefined>(undefined);
  readonly slots = signal<Slot[]>([]);
  readonly selected = signal<Slot | undefined>(undefined);
  readonly loading = signal(true);
  readonly busy = signal(false);
  /** Why the picked time is gone; shown above the refreshed picker. */
  readonly notice = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.watching?.unsubscribe();
      void this.releaseHold();
    });
  }

  async load(roleId: string, reschedule?: string): Promise<void> {
    this.loading.set(true);
    this.error.set(undefined);
    this.rescheduling = reschedule;
    try {
      const [doctor] = await Promise.all([this.directory.read(roleId), this.patients.load()]);
      this.doctor.set(doctor);
      if (!doctor) {
        this.error.set('This doctor is not listed (any more).');
        return;
      }
      await this.refreshSlots();
      this.watchSlots();
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.loading.set(false);
    }
  }

  /** Holds the time for the patient (rescheduling: checks it is still free). */
  async pick(slot: Slot): Promise<void> {
    await this.run(async () => {
      await this.releaseHold();
      if (this.rescheduling) {
        this.selected.set(await this.booking.checkFree(slot));
        return;
      }
      this.hold = await this.booking.hold(this.request(slot));
      this.selected.set(slot);
    });
  }

  /** Goes back to the picker, giving the held time back. */
  async unpick(): Promise<void> {
    this.selected.set(undefined);
    await this.run(async () => {
      await this.releaseHold();
      await this.refreshSlots();
    });
  }

  /** Books the picked time; the Appointment, or undefined when it did not work out (see notice/error). */
  async confirm(reason: Choice | undefined, comment: string): Promise<Appointment | undefined> {
    const slot = this.selected();
    if (!slot || !this.doctor() || !this.patients.reference()) {
      return undefined;
    }
    let appointment: Appointment | undefined;
    await this.run(async () => {
      if (this.rescheduling) {
        appointment = await this.booking.reschedule(this.rescheduling, slot);
      } else {
        appointment = await this.booking.book({ ...this.request(slot), reason, comment });
        this.hold = undefined;
      }
    });
    return appointment;
  }

  private request(slot: Slot): BookingRequest {
    return { slot, doctor: this.doctor() as DoctorSummary, patient: this.patients.reference() as string };
  }

  private async releaseHold(): Promise<void> {
    const hold = this.hold;
    this.hold = undefined;
    if (hold) {
      await this.booking.release(hold);
    }
  }

  private async run(work: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.notice.set(undefined);
    this.error.set(undefined);
    try {
      await work();
    } catch (error) {
      if (error instanceof SlotTakenError) {
        this.notice.set(error.message);
        this.selected.set(undefined);
        await this.releaseHold();
        await this.refreshSlots().catch((refreshError: unknown) => this.error.set(outcomeMessage(refreshError)));
      } else if (error instanceof OverlapError) {
        this.error.set(error.message);
        this.selected.set(undefined);
        await this.releaseHold();
      } else {
        this.error.set(outcomeMessage(error));
      }
    } finally {
      this.busy.set(false);
    }
  }

  /**
   * Patients see free Slots only, so a time taken by someone else is not a change they could be
   * told about but a free time gone: the free times are read again at each polling interval
   * while the page is shown. Not while the patient's own request runs: each of those that
   * returns to the picker reads them anyway.
   */
  private watchSlots(): void {
    this.watching?.unsubscribe();
    this.watching = this.polling.repeat(() => this.refreshSlots(), this.busy).subscribe();
  }

  private async refreshSlots(): Promise<void> {
    const doctor = this.doctor();
    if (!doctor) {
      return;
    }
    const now = new Date();
    const until = new Date(now.getTime() + BOOKING_WINDOW_DAYS * 24 * 3_600_000);
    this.slots.set(await this.directory.freeSlots(doctor.practitionerReference, now, until));
  }
}
