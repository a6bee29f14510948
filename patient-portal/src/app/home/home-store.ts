import { computed, inject, Injectable, signal } from '@angular/core';
import type { Patient } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { formatHumanName } from '../shared/human-name.pipe';

type HomeState =
  | { readonly status: 'loading' }
  | { readonly status: 'loaded'; readonly patient: Patient }
  | { readonly status: 'failed'; readonly error: string };

/** The signed-in patient's own record, for the home page. Provided by the home route. */
@Injectable()
export class HomeStore {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly state = signal<HomeState>({ status: 'loading' });

  readonly loading = computed(() => this.state().status === 'loading');
  readonly patient = computed(() => {
    const state = this.state();
    return state.status === 'loaded' ? state.patient : undefined;
  });
  readonly displayName = computed(() => formatHumanName(this.patient()?.name));
  readonly error = computed(() => {
    const state = this.state();
    return state.status === 'failed' ? state.error : undefined;
  });

  async load(): Promise<void> {
    const patientId = this.auth.patientId();
    if (!patientId) {
      this.state.set({ status: 'failed', error: 'Your account is not linked to a patient record.' });
      return;
    }
    this.state.set({ status: 'loading' });
    try {
      this.state.set({ status: 'loaded', patient: await firstValueFrom(this.fhir.read('Patient', patientId)) });
    } catch (error) {
      this.state.set({ status: 'failed', error: outcomeMessage(error) });
    }
  }
}
