import { computed, inject, Injectable, signal } from '@angular/core';
import type { Practitioner, PractitionerRole, ValueSet } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { practitionerWith, profileFrom, roleWith, verificationState, type DoctorProfile } from './doctor-profile';
import { choicesOf, LANGUAGE_VALUE_SET, SPECIALTY_VALUE_SET, type Choice } from './value-set-choices';

type StoredPractitioner = Practitioner & { id: string };

/**
 * The doctor's own profile: their Practitioner (name, contact, qualifications, languages) and
 * their PractitionerRole (specialty, fee, languages, experience, biography), which is what
 * patients find once an administrator has verified the doctor.
 */
@Injectable()
export class OnboardingStore {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly practitioner = signal<StoredPractitioner | undefined>(undefined);
  private readonly role = signal<PractitionerRole | undefined>(undefined);
  private readonly busy = signal(true);
  private readonly saving = signal(false);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly savedOnce = signal(false);

  readonly specialties = signal<readonly Choice[]>([]);
  readonly languages = signal<readonly Choice[]>([]);
  readonly loading = this.busy.asReadonly();
  readonly submitting = this.saving.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly saved = this.savedOnce.asReadonly();
  readonly profile = computed(() => profileFrom(this.practitioner(), this.role()));
  readonly verification = computed(() => verificationState(this.practitioner()));

  async load(): Promise<void> {
    const reference = this.auth.fhirUser();
    if (!reference?.startsWith('Practitioner/')) {
      this.failure.set('Only doctors have a profile to complete.');
      this.busy.set(false);
      return;
    }
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      const [practitioner, roles, specialties, languages] = await Promise.all([
        firstValueFrom(this.fhir.read('Practitioner', reference.slice('Practitioner/'.length))),
        firstValueFrom(this.fhir.search('PractitionerRole', { practitioner: reference, _count: 1 })),
        this.expand(SPECIALTY_VALUE_SET),
        this.expand(LANGUAGE_VALUE_SET),
      ]);
      this.practitioner.set(practitioner as StoredPractitioner);
      this.role.set(matches(roles)[0]);
      this.specialties.set(specialties);
      this.languages.set(languages);
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  /** Writes the Practitioner (guarded by its version), then creates or updates the role. */
  async submit(profile: DoctorProfile): Promise<boolean> {
    const stored = this.practitioner();
    if (!stored) {
      return false;
    }
    this.saving.set(true);
    this.failure.set(undefined);
    try {
      const practitioner = await firstValueFrom(this.fhir.update(practitionerWith(stored, profile)));
      this.practitioner.set(practitioner as StoredPractitioner);
      const current = this.role();
      const role = roleWith(current, `Practitioner/${stored.id}`, profile);
      const written = current?.id
        ? await firstValueFrom(this.fhir.update({ ...role, id: current.id }))
        : await firstValueFrom(this.fhir.create(role));
      this.role.set(written);
      this.savedOnce.set(true);
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    } finally {
      this.saving.set(false);
    }
  }

  private async expand(url: string): Promise<Choice[]> {
    const valueSet = await firstValueFrom(
      this.fhir.operation<ValueSet>('ValueSet/$expand', { method: 'GET', params: { url, count: 1000 } }),
    );
    return choicesOf(valueSet);
  }
}
