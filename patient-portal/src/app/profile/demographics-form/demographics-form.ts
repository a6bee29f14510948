import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { Patient } from '@medplum/fhirtypes';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import { PatientStore } from '../../patient/patient-store';
import { knownTimeZones } from '../../patient/time-zone';
import type { Choice } from '../../terminology/value-set-api';
import { applyDetails, detailsOf, type PatientDetails } from './patient-details';

/** About you: name, sex, date of birth, phone, preferred language and time zone. */
@Component({
  selector: 'pp-demographics-form',
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, ReactiveFormsModule],
  templateUrl: './demographics-form.html',
  styleUrl: './demographics-form.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DemographicsForm {
  readonly patient = input.required<Patient>();
  readonly languages = input<readonly Choice[]>([]);

  private readonly store = inject(PatientStore);
  protected readonly form = inject(NonNullableFormBuilder).group({
    givenName: ['', Validators.required],
    familyName: ['', Validators.required],
    gender: ['' as PatientDetails['gender']],
    birthDate: [''],
    phone: [''],
    language: [''],
    timeZone: ['', Validators.required],
  });
  protected readonly zones = computed(() => knownTimeZones(detailsOf(this.patient(), this.store.timeZone()).timeZone));
  protected readonly today = new Date().toISOString().slice(0, 10);
  protected readonly saving = signal(false);
  protected readonly status = signal<{ readonly ok: boolean; readonly text: string } | undefined>(undefined);

  constructor() {
    effect(() => {
      const details = detailsOf(this.patient(), this.store.timeZone());
      untracked(() => this.form.reset(details));
    });
  }

  async save(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const details = this.form.getRawValue();
    const display = this.languages().find((language) => language.code === details.language)?.display;
    this.saving.set(true);
    this.status.set(undefined);
    try {
      await this.store.save({ ...applyDetails(this.patient(), details, display), id: this.patient().id ?? '' });
      this.status.set({ ok: true, text: 'Your details are saved.' });
    } catch (error) {
      this.status.set({ ok: false, text: outcomeMessage(error) });
    } finally {
      this.saving.set(false);
    }
  }
}
