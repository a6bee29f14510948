import { computed, inject, Injectable, signal } from '@angular/core';
import type { Practitioner } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { formatHumanName } from '../shared/human-name.pipe';

type HomeState =
  | { readonly status: 'loading' }
  | { readonly status: 'doctor'; readonly practitioner: Practitioner }
  | { readonly status: 'administrator' }
  | { readonly status: 'failed'; readonly error: string };

/** Who is signed in: a doctor's own Practitioner, or an administrator (no FHIR profile). */
@Injectable()
export class HomeStore {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly state = signal<HomeState>({ status: 'loading' });

  readonly loading = computed(() => this.state().status === 'loading');
  readonly administrator = computed(() => this.state().status === 'administrator');
  readonly practitioner = computed(() => {
    const state = this.state();
    return state.status === 'doctor' ? state.practitioner : undefined;
  });
  readonly displayName = computed(() => formatHumanName(this.practitioner()?.name));
  /** A doctor is listed for patients only once an administrator has verified them. */
  readonly pendingVerification = computed(() => this.practitioner()?.active === false);
  readonly error = computed(() => {
    const state = this.state();
    return state.status === 'failed' ? state.error : undefined;
  });

  async load(): Promise<void> {
    const fhirUser = this.auth.fhirUser();
    if (!fhirUser) {
      this.state.set({ status: 'administrator' });
      return;
    }
    const [resourceType, id] = fhirUser.split('/');
    if (resourceType !== 'Practitioner' || !id) {
      this.state.set({ status: 'failed', error: 'This portal is for doctors and administrators. Patients use the patient portal.' });
      return;
    }
    this.state.set({ status: 'loading' });
    try {
      this.state.set({ status: 'doctor', practitioner: await firstValueFrom(this.fhir.read('Practitioner', id)) });
    } catch (error) {
      this.state.set({ status: 'failed', error: outcomeMessage(error) });
    }
  }
}
