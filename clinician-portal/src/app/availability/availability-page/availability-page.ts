import { ChangeDetectionStrategy, Component, effect, inject, signal, untracked, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import { timeIn } from '../../calendar/calendar-dates';
import { LANGUAGE_VALUE_SET, SPECIALTY_VALUE_SET, ValueSetApi, type Choice } from '../../terminology/value-set-api';
import { WEEKDAYS, type PracticeForm, type Weekday, type WeeklyHours } from '../practice-form';
import { PracticeStore, safeZone } from '../practice-store';

const DAY_LABELS: Readonly<Record<Weekday, string>> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

/** The doctor's profile (specialty, fee, languages, biography) and availability rules, with the slots they give. */
@Component({
  selector: 'cp-availability-page',
  imports: [
    FormsModule,
    MatButtonModule,
    MatCardModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressSpinnerModule,
    MatSelectModule,
    RouterLink,
  ],
  templateUrl: './availability-page.html',
  styleUrl: './availability-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AvailabilityPage implements OnInit {
  protected readonly store = inject(PracticeStore);
  private readonly valueSets = inject(ValueSetApi);
  protected readonly weekdays = WEEKDAYS;
  protected readonly dayLabels = DAY_LABELS;
  protected readonly specialties = signal<readonly Choice[]>([]);
  protected readonly languages = signal<readonly Choice[]>([]);
  /** The doctor's edits; reset from the store whenever it loads or saves. */
  protected readonly model = signal<PracticeForm>(this.store.form());

  constructor() {
    effect(() => {
      const form = this.store.form();
      untracked(() => this.model.set(structuredClone(form)));
    });
  }

  ngOnInit(): void {
    void this.store.load();
    void this.valueSets.expand(SPECIALTY_VALUE_SET).then(
      (choices) => this.specialties.set(choices),
      () => undefined,
    );
    void this.valueSets.expand(LANGUAGE_VALUE_SET).then(
      (choices) => this.languages.set(choices),
      () => undefined,
    );
  }

  protected zone(): string {
    return safeZone(this.store.timeZone());
  }

  /** `09:30` in the doctor's zone (DatePipe takes offsets only, not IANA zone names). */
  protected time(instant: string): string {
    return timeIn(instant, this.zone());
  }

  /** Free slots are bookable; the others are taken by a patient (busy) or held during a booking (busy-tentative). */
  protected slotLabel(status: string): string {
    return status === 'busy' ? 'booked' : status === 'busy-tentative' ? 'held' : status;
  }

  protected toggleDay(hours: WeeklyHours, day: Weekday, checked: boolean): void {
    hours.days = checked ? WEEKDAYS.filter((d) => d === day || hours.days.includes(d)) : hours.days.filter((d) => d !== day);
  }

  protected addHours(): void {
    this.model.update((form) => ({
      ...form,
      hours: [...form.hours, { days: [], start: '09:00', end: '12:00', breakStart: '', breakEnd: '' }],
    }));
  }

  protected removeHours(index: number): void {
    this.model.update((form) => ({ ...form, hours: form.hours.filter((_, i) => i !== index) }));
  }

  protected addException(): void {
    this.model.update((form) => ({ ...form, exceptions: [...form.exceptions, { from: '', to: '', description: '' }] }));
  }

  protected removeException(index: number): void {
    this.model.update((form) => ({ ...form, exceptions: form.exceptions.filter((_, i) => i !== index) }));
  }

  protected save(): void {
    const form = this.model();
    const specialty = this.specialties().find((choice) => choice.code === form.specialty);
    void this.store.save({ ...form, specialtyDisplay: specialty?.display ?? form.specialtyDisplay });
  }
}
