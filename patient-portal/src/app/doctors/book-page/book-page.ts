import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime } from '../../patient/time-zone';
import { APPOINTMENT_REASON_VALUE_SET, ValueSetApi, type Choice } from '../../terminology/value-set-api';
import { formatFee } from '../doctor-summary';
import { SlotPicker } from '../slot-picker/slot-picker';
import { BookingStore } from './booking-store';

/** Book a consultation: pick a free time (held), say why, confirm. */
@Component({
  selector: 'pp-book-page',
  imports: [
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    ReactiveFormsModule,
    RouterLink,
    SlotPicker,
  ],
  templateUrl: './book-page.html',
  styleUrl: './book-page.scss',
  providers: [BookingStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BookPage {
  /** Route parameter: the PractitionerRole id. */
  readonly roleId = input.required<string>();
  /** Query parameter: the appointment this booking moves (rescheduling). */
  readonly reschedule = input<string | undefined>(undefined);

  protected readonly store = inject(BookingStore);
  protected readonly patient = inject(PatientStore);
  private readonly router = inject(Router);
  private readonly valueSets = inject(ValueSetApi);

  protected readonly reasons = signal<Choice[]>([]);
  protected readonly form = inject(NonNullableFormBuilder).group({ reason: [''], comment: [''] });
  protected readonly fee = computed(() => formatFee(this.store.doctor()?.fee));
  protected readonly when = computed(() => formatDateTime(this.store.selected()?.start, this.patient.timeZone()));
  protected readonly doctorWhen = computed(() => {
    const zone = this.store.doctor()?.timeZone;
    return zone && zone !== this.patient.timeZone() ? `${formatDateTime(this.store.selected()?.start, zone)} (${zone})` : undefined;
  });

  constructor() {
    void this.valueSets.expand(APPOINTMENT_REASON_VALUE_SET).then(
      (reasons) => this.reasons.set(reasons),
      () => undefined,
    );
    effect(() => {
      const roleId = this.roleId();
      const reschedule = this.reschedule();
      untracked(() => void this.store.load(roleId, reschedule));
    });
  }

  async confirm(): Promise<void> {
    const { reason, comment } = this.form.getRawValue();
    const appointment = await this.store.confirm(
      this.reasons().find((choice) => choice.code === reason),
      comment,
    );
    if (appointment?.id) {
      await this.router.navigate(['/doctors', this.roleId(), 'booked', appointment.id]);
    }
  }
}
