import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { PatientStore } from '../../patient/patient-store';
import { LANGUAGE_VALUE_SET, SPECIALTY_VALUE_SET, ValueSetApi, type Choice } from '../../terminology/value-set-api';
import { DoctorCard } from '../doctor-card/doctor-card';
import type { DoctorFilters, DoctorSort } from '../doctor-directory';
import { DoctorSearchStore } from './doctor-search-store';

/** Find a doctor: filters (specialty from the server's value set, language, fee, experience, rating), sort, result cards. */
@Component({
  selector: 'pp-find-doctor-page',
  imports: [DoctorCard, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, MatSelectModule, ReactiveFormsModule],
  templateUrl: './find-doctor-page.html',
  styleUrl: './find-doctor-page.scss',
  providers: [DoctorSearchStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FindDoctorPage implements OnInit {
  protected readonly store = inject(DoctorSearchStore);
  protected readonly patient = inject(PatientStore);
  private readonly valueSets = inject(ValueSetApi);

  protected readonly specialties = signal<Choice[]>([]);
  protected readonly languages = signal<Choice[]>([]);
  protected readonly languageNames = signal<Readonly<Record<string, string>>>({});
  protected readonly form = inject(NonNullableFormBuilder).group({
    text: [''],
    specialty: [''],
    language: [''],
    maxFee: [null as number | null],
    minExperience: [null as number | null],
    minRating: [''],
    sort: ['-rating' as DoctorSort],
  });

  ngOnInit(): void {
    void this.valueSets.expand(SPECIALTY_VALUE_SET).then(
      (choices) => this.specialties.set(choices),
      () => undefined,
    );
    void this.valueSets.expand(LANGUAGE_VALUE_SET).then(
      (choices) => {
        this.languages.set(choices);
        this.languageNames.set(Object.fromEntries(choices.map((choice) => [choice.code, choice.display])));
      },
      () => undefined,
    );
    void this.patient.load().catch(() => undefined);
    void this.search();
  }

  search(): Promise<void> {
    const value = this.form.getRawValue();
    const filters: DoctorFilters = {
      text: value.text,
      specialty: value.specialty,
      language: value.language,
      maxFee: value.maxFee ?? undefined,
      minExperience: value.minExperience ?? undefined,
      minRating: value.minRating ? Number(value.minRating) : undefined,
      sort: value.sort,
    };
    return this.store.search(filters);
  }

  clear(): Promise<void> {
    this.form.reset();
    return this.search();
  }
}
