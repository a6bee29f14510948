import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { RouterLink } from '@angular/router';
import type { Appointment } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../../core/fhir/fhir-client';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime } from '../../patient/time-zone';

/** The confirmation after booking: when, with whom, and where to go next. */
@Component({
  selector: 'pp-booked-page',
  imports: [MatButtonModule, MatCardModule, MatProgressSpinnerModule, RouterLink],
  template: `
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    } @else if (appointment(); as booked) {
      <mat-card appearance="outlined" class="card">
        <mat-card-header>
          <mat-card-title><h1>You are booked</h1></mat-card-title>
        </mat-card-header>
        <mat-card-content>
          <p role="status">
            Your video consultation with <strong>{{ doctor() }}</strong> is on <strong>{{ when() }}</strong> ({{ patient.timeZone() }}).
          </p>
          <p>You can join the waiting room from your appointments a few minutes before it starts.</p>
        </mat-card-content>
        <mat-card-actions class="actions">
          <a mat-flat-button routerLink="/appointments">See my appointments</a>
          <a mat-button routerLink="/doctors">Find another doctor</a>
        </mat-card-actions>
      </mat-card>
    } @else {
      <mat-spinner diameter="40" aria-label="Loading your booking" />
    }
  `,
  styles: `
    .card {
      max-width: 40rem;
    }
    h1 {
      margin: 0;
      font: var(--mat-sys-headline-small);
      color: var(--mat-sys-primary);
    }
    .actions {
      flex-wrap: wrap;
      gap: 8px;
    }
    .error {
      color: var(--mat-sys-error);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BookedPage {
  /** Route parameter. */
  readonly appointmentId = input.required<string>();

  private readonly fhir = inject(FhirClient);
  protected readonly patient = inject(PatientStore);
  protected readonly appointment = signal<Appointment | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly when = computed(() => formatDateTime(this.appointment()?.start, this.patient.timeZone()));
  protected readonly doctor = computed(
    () => this.appointment()?.participant.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor?.display ?? 'your doctor',
  );

  constructor() {
    void this.patient.load().catch(() => undefined);
    effect(() => {
      const id = this.appointmentId();
      untracked(() => void this.load(id));
    });
  }

  private async load(id: string): Promise<void> {
    try {
      this.appointment.set(await firstValueFrom(this.fhir.read('Appointment', id)));
    } catch (error) {
      this.error.set(outcomeMessage(error));
    }
  }
}
