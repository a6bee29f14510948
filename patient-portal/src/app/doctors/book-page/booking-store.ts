import { inject, Injectable, signal } from '@angular/core';
import type { Appointment, Slot } from '@medplum/fhirtypes';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import { PatientStore } from '../../patient/patient-store';
import type { Choice } from '../../terminology/value-set-api';
import { BookingApi, SlotTakenError } from '../booking-api';
import { DoctorDirectory } from '../doctor-directory';
import type { DoctorSummary } from '../doctor-summary';

/** How far ahead the picker looks. */
export const BOOKING_WINDOW_DAYS = 14;

/**
 * One booking: the doctor's free times, the time picked (held), and the confirmation. A time
 * taken by someone else meanwhile is explained and the free times are read again.
 */
@Injectable()
export class BookingStore {
  private readonly directory = inject(DoctorDirectory);
  private readonly booking = inject(BookingApi);
  private readonly patients = inject(PatientStore);

  readonly doctor = signal<DoctorSummary | undefined>(undefined);
  readonly slots = signal<Slot[]>([]);
  readonly selected = signal<Slot | undefined>(undefined);
  readonly loading = signal(true);
  readonly busy = signal(false);
  /** Why the picked time is gone; shown above the refreshed picker. */
  readonly notice = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);

  async load(roleId: string): Promise<void> {
    this.loading.set(true);
    this.error.set(undefined);
    try {
      const [doctor] = await Promise.all([this.directory.read(roleId), this.patients.load()]);
      this.doctor.set(doctor);
      if (!doctor) {
        this.error.set('This doctor is not listed (any more).');
        return;
      }
      await this.refreshSlots();
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.loading.set(false);
    }
  }

  async pick(slot: Slot): Promise<void> {
    await this.run(async () => {
      this.selected.set(await this.booking.hold(slot));
    });
  }

  /** Goes back to the picker. */
  unpick(): void {
    this.selected.set(undefined);
  }

  /** Books the picked time; the Appointment, or undefined when it did not work out (see notice/error). */
  async confirm(reason: Choice | undefined, comment: string, replaces?: string): Promise<Appointment | undefined> {
    const slot = this.selected();
    const doctor = this.doctor();
    const patient = this.patients.reference();
    if (!slot || !doctor || !patient) {
      return undefined;
    }
    let appointment: Appointment | undefined;
    await this.run(async () => {
      appointment = await this.booking.book({ slot, doctor, patient, reason, comment, replaces });
    });
    return appointment;
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
        await this.refreshSlots().catch((refreshError: unknown) => this.error.set(outcomeMessage(refreshError)));
      } else {
        this.error.set(outcomeMessage(error));
      }
    } finally {
      this.busy.set(false);
    }
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
