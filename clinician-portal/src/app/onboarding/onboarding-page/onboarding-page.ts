import { ChangeDetectionStrategy, Component, effect, inject, type OnInit } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators, type FormArray, type FormGroup } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatStepperModule } from '@angular/material/stepper';
import { CredentialsStore } from '../credentials-store';
import type { DoctorProfile, Qualification } from '../doctor-profile';
import { LicenceDocuments } from '../licence-documents/licence-documents';
import { OnboardingStore } from '../onboarding-store';

const STATUS_TEXT = {
  pending: 'Pending verification: an administrator checks your credentials before patients can find you.',
  verified: 'Verified: patients find you in the directory.',
  rejected: 'Your verification was rejected. Correct your profile and contact the MedBuddy team.',
  suspended: 'Your profile is suspended and hidden from patients. Contact the MedBuddy team.',
} as const;

/** The onboarding wizard: profile, qualifications, licence documents, practice (specialty, languages, fee, biography), review. */
@Component({
  selector: 'cp-onboarding-page',
  imports: [
    LicenceDocuments,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatStepperModule,
    ReactiveFormsModule,
  ],
  templateUrl: './onboarding-page.html',
  styleUrl: './onboarding-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class OnboardingPage implements OnInit {
  protected readonly store = inject(OnboardingStore);
  protected readonly credentials = inject(CredentialsStore);
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly statusText = STATUS_TEXT;

  protected readonly personal = this.fb.group({
    givenName: ['', Validators.required],
    familyName: ['', Validators.required],
    phone: [''],
  });
  protected readonly qualifications = this.fb.array<FormGroup>([]);
  protected readonly practice = this.fb.group({
    specialty: ['', Validators.required],
    languages: this.fb.control<string[]>([], Validators.required),
    fee: this.fb.control<number | null>(null, [Validators.required, Validators.min(0)]),
    yearsOfExperience: this.fb.control<number | null>(null, [Validators.min(0), Validators.max(80)]),
    biography: ['', Validators.maxLength(4000)],
  });
  protected readonly qualificationsStep = this.fb.group({ list: this.qualifications });

  constructor() {
    // Fill the form once what is stored has arrived.
    effect(() => {
      if (!this.store.loading()) {
        this.fill(this.store.profile());
      }
    });
  }

  ngOnInit(): void {
    void this.store.load();
  }

  protected addQualification(value?: Qualification): void {
    this.qualifications.push(
      this.fb.group({
        title: [value?.title ?? '', Validators.required],
        issuer: [value?.issuer ?? '', Validators.required],
        licenceNumber: [value?.licenceNumber ?? ''],
        start: [value?.start ?? '', Validators.required],
        end: [value?.end ?? ''],
      }),
    );
  }

  protected removeQualification(index: number): void {
    this.qualifications.removeAt(index);
  }

  protected specialtyName(code: string): string {
    return this.store.specialties().find((choice) => choice.code === code)?.display ?? code;
  }

  protected languageNames(codes: readonly string[]): string {
    return codes.map((code) => this.store.languages().find((choice) => choice.code === code)?.display ?? code).join(', ');
  }

  protected async submit(): Promise<void> {
    if (this.personal.invalid || this.qualifications.invalid || this.qualifications.length === 0 || this.practice.invalid) {
      this.personal.markAllAsTouched();
      this.qualifications.markAllAsTouched();
      this.practice.markAllAsTouched();
      return;
    }
    await this.store.submit(this.profile());
  }

  private profile(): DoctorProfile {
    const personal = this.personal.getRawValue();
    const practice = this.practice.getRawValue();
    return {
      ...personal,
      qualifications: (this.qualifications as FormArray<FormGroup>).getRawValue() as Qualification[],
      specialty: practice.specialty ? { code: practice.specialty, display: this.specialtyName(practice.specialty) } : undefined,
      languages: practice.languages,
      fee: practice.fee ?? undefined,
      currency: this.store.profile().currency,
      yearsOfExperience: practice.yearsOfExperience ?? undefined,
      biography: practice.biography,
    };
  }

  private fill(profile: DoctorProfile): void {
    this.personal.setValue({ givenName: profile.givenName, familyName: profile.familyName, phone: profile.phone });
    this.qualifications.clear();
    for (const qualification of profile.qualifications) {
      this.addQualification(qualification);
    }
    if (profile.qualifications.length === 0) {
      this.addQualification();
    }
    this.practice.setValue({
      specialty: profile.specialty?.code ?? '',
      languages: [...profile.languages],
      fee: profile.fee ?? null,
      yearsOfExperience: profile.yearsOfExperience ?? null,
      biography: profile.biography,
    });
  }
}
