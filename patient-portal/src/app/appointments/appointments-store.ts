import { computed, inject, Injectable, signal } from '@angular/core';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { PatientStore } from '../patient/patient-store';
import { AppointmentsApi, type AppointmentItem, type PatientCancellationReason } from './appointments-api';

const ACTIVE = new Set(['proposed', 'pending', 'booked', 'arrived', 'checked-in', 'waitlist']);

/** The patient's appointments split into upcoming (soonest first) and past or cancelled (latest first). */
@Injectable()
export class AppointmentsStore {
  private readonly api = inject(AppointmentsApi);
  private readonly patients = inject(PatientStore);
  private readonly all = signal<AppointmentItem[]>([]);
  private readonly now = signal(Date.now());

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

  async load(): Promise<void> {
    this.loading.set(true);
    this.error.set(undefined);
    try {
      await this.patients.load();
      const patient = this.patients.reference();
      this.now.set(Date.now());
      const items = patient ? await this.api.list(patient) : [];
      this.all.set(items.sort((a, b) => startOf(a) - startOf(b)));
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.loading.set(false);
    }
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

  private isUpcoming(item: AppointmentItem): boolean {
    const end = new Date(item.appointment.end ?? item.appointment.start ?? 0).getTime();
    return ACTIVE.has(item.appointment.status) && end >= this.now();
  }
}

function startOf(item: AppointmentItem): number {
  return new Date(item.appointment.start ?? 0).getTime();
}
