import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import type { Encounter } from '@medplum/fhirtypes';
import { interval, merge, type Subscription } from 'rxjs';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { LiveUpdates } from '../shared/live-updates/live-updates';
import { PatientStore } from '../patient/patient-store';
import { AppointmentsApi, type AppointmentItem, type PatientCancellationReason } from './appointments-api';
import { canJoin } from './consultation-window';

const ACTIVE = new Set(['proposed', 'pending', 'booked', 'arrived', 'checked-in', 'waitlist']);

/** How often "can the waiting room be joined now" is looked at again. */
const CLOCK_TICK_MS = 30_000;

/**
 * The patient's appointments split into upcoming (soonest first) and past or cancelled (latest
 * first). While the page is open, changes arrive through LiveUpdates: an appointment changed
 * elsewhere reloads the list, and a consultation Encounter turning in-progress means the
 * doctor is ready.
 */
@Injectable()
export class AppointmentsStore {
  private readonly api = inject(AppointmentsApi);
  private readonly patients = inject(PatientStore);
  private readonly live = inject(LiveUpdates);
  private readonly all = signal<AppointmentItem[]>([]);
  private readonly now = signal(Date.now());
  private watching?: Subscription;
  /** Appointment ids whose doctor has admitted the patient (Encounter in-progress). */
  private readonly admitted = signal<ReadonlySet<string>>(new Set());

  readonly loading = signal(true);
  readonly busyId = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly message = signal<string | undefined>(undefined);

  readonly upcoming = computed(() => this.all().filter((item) => this.isUpcoming(item)));
  readonly past = computed(() =>
    this.all()
      .filter((item) => !this.isUpcoming(item))
      .reverse(),
  );

  /** The upcoming appointment whose doctor is ready for the patient, if any. */
  readonly doctorReady = computed(() => this.upcoming().find((item) => this.admitted().has(item.appointment.id)));

  constructor() {
    inject(DestroyRef).onDestroy(() => this.watching?.unsubscribe());
  }

  async load(): Promise<void> {
    this.loading.set(true);
    this.error.set(undefined);
    try {
      await this.patients.load();
      const patient = this.patients.reference();
      this.now.set(Date.now());
      const items = patient ? await this.api.list(patient) : [];
      this.show(items);
      if (patient && !this.watching) {
        this.watch(patient);
      }
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.loading.set(false);
    }
  }

  /** The waiting room of this appointment is open now. */
  canJoin(item: AppointmentItem): boolean {
    return canJoin(item.appointment, this.now());
  }

  isDoctorReady(item: AppointmentItem): boolean {
    return this.admitted().has(item.appointment.id);
  }

  /** The consultation Encounter to review, once the visit is finished. */
  reviewableEncounter(item: AppointmentItem): string | undefined {
    return item.encounterStatus === 'finished' ? item.encounterId : undefined;
  }

  /** Only appointments that have not started can be cancelled here. */
  canCancel(item: AppointmentItem): boolean {
    return this.isUpcoming(item) && new Date(item.appointment.start ?? 0).getTime() > Date.now();
  }

  async cancel(item: AppointmentItem, reason?: PatientCancellationReason): Promise<boolean> {
    this.busyId.set(item.appointment.id);
    this.error.set(undefined);
    this.message.set(undefined);
    try {
      const cancelled = await this.api.cancel(item.appointment, reason);
      this.all.update((items) =>
        items.map((other) =>
          other.appointment.id === item.appointment.id ? { ...other, appointment: { ...item.appointment, ...cancelled } } : other,
        ),
      );
      this.message.set('Your appointment is cancelled.');
      return true;
    } catch (error) {
      this.error.set(outcomeMessage(error));
      return false;
    } finally {
      this.busyId.set(undefined);
    }
  }

  private watch(patient: string): void {
    this.watching = merge(
      this.live.changes('Appointment', { patient }),
      this.live.changes('Encounter', { patient }),
      interval(CLOCK_TICK_MS),
    ).subscribe((changed) => {
      if (typeof changed === 'number') {
        this.now.set(Date.now());
        return;
      }
      const encounters = changed.filter((resource): resource is Encounter => resource.resourceType === 'Encounter');
      if (encounters.length > 0) {
        this.noteEncounters(encounters);
      }
      if (encounters.length < changed.length) {
        void this.refresh();
      }
    });
  }

  private noteEncounters(encounters: Encounter[]): void {
    this.admitted.update((known) => {
      const next = new Set(known);
      for (const encounter of encounters) {
        const appointmentId = encounter.appointment?.[0]?.reference?.split('/').pop();
        if (appointmentId && encounter.status === 'in-progress') {
          next.add(appointmentId);
        } else if (appointmentId) {
          next.delete(appointmentId);
        }
      }
      return next;
    });
  }

  /** Reads the list again quietly (a change made elsewhere). */
  private async refresh(): Promise<void> {
    const patient = this.patients.reference();
    if (!patient) {
      return;
    }
    try {
      const items = await this.api.list(patient);
      this.now.set(Date.now());
      this.show(items);
    } catch {
      // The next change or visit tries again.
    }
  }

  private show(items: AppointmentItem[]): void {
    this.all.set(items.sort((a, b) => startOf(a) - startOf(b)));
    this.admitted.set(new Set(items.filter((item) => item.encounterStatus === 'in-progress').map((item) => item.appointment.id)));
  }

  private isUpcoming(item: AppointmentItem): boolean {
    const end = new Date(item.appointment.end ?? item.appointment.start ?? 0).getTime();
    return ACTIVE.has(item.appointment.status) && end >= this.now();
  }
}

function startOf(item: AppointmentItem): number {
  return new Date(item.appointment.start ?? 0).getTime();
}
