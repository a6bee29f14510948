import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal, type OnInit } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink } from '@angular/router';
import { Connectivity } from '../../shared/live-updates/connectivity';
import { OfflineStore } from '../../offline/offline-store';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime } from '../../patient/time-zone';
import { PATIENT_CANCELLATION_REASONS, type AppointmentItem, type PatientCancellationReason } from '../appointments-api';
import { AppointmentsStore } from '../appointments-store';

const STATUS_TEXT: Readonly<Record<string, string>> = {
  booked: 'Booked',
  pending: 'Waiting for the doctor',
  proposed: 'Proposed',
  arrived: 'In the waiting room',
  'checked-in': 'In the waiting room',
  fulfilled: 'Done',
  cancelled: 'Cancelled',
  noshow: 'Missed',
  'entered-in-error': 'Removed',
  waitlist: 'On the waiting list',
};

/** Upcoming and past appointments; cancelling an upcoming one. */
@Component({
  selector: 'pp-appointments-page',
  imports: [MatButtonModule, MatCardModule, MatProgressBarModule, MatTabsModule, NgTemplateOutlet, RouterLink],
  templateUrl: './appointments-page.html',
  styleUrl: './appointments-page.scss',
  providers: [AppointmentsStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AppointmentsPage implements OnInit {
  protected readonly store = inject(AppointmentsStore);
  protected readonly patient = inject(PatientStore);
  private readonly online = inject(Connectivity).online;
  private readonly showingSaved = inject(OfflineStore).offline;
  /** Booking, cancelling, rescheduling and joining need the server: off while offline. */
  protected readonly actionsOff = computed(() => !this.online() || this.showingSaved());
  /** The appointment whose cancellation awaits a yes. */
  protected readonly confirming = signal<string | undefined>(undefined);
  protected readonly reasons = PATIENT_CANCELLATION_REASONS;
  protected readonly reason = signal<PatientCancellationReason>('patient-request');

  ngOnInit(): void {
    void this.store.load();
  }

  protected when(item: AppointmentItem): string {
    return formatDateTime(item.appointment.start, this.patient.timeZone());
  }

  protected status(item: AppointmentItem): string {
    return STATUS_TEXT[item.appointment.status] ?? item.appointment.status;
  }

  async cancel(item: AppointmentItem): Promise<void> {
    if (await this.store.cancel(item, this.reason())) {
      this.confirming.set(undefined);
    }
  }
}
