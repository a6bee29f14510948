import { computed, inject, Injectable, signal } from '@angular/core';
import type { Patient } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';

/**
 * The doctor's patients: a plain `Patient` search, which the server narrows to the patients
 * the doctor has a care relationship with (a shared Appointment or Encounter not cancelled).
 */
@Injectable()
export class PatientListStore {
  private readonly fhir = inject(FhirClient);
  private readonly found = signal<readonly Patient[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);

  readonly patients = this.found.asReadonly();
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly empty = computed(() => !this.busy() && !this.failure() && this.found().length === 0);

  async load(name = ''): Promise<void> {
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      const bundle = await firstValueFrom(this.fhir.search('Patient', { name: name.trim() || undefined, _count: 100 }));
      this.found.set(matches(bundle));
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
