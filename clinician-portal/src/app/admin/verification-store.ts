import { computed, inject, Injectable, signal } from '@angular/core';
import type { Parameters, Practitioner } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';

export type VerificationDecision = 'validated' | 'rejected';

/** Doctors not yet active (awaiting verification), and the administrator's decisions on them. */
@Injectable()
export class VerificationStore {
  private readonly fhir = inject(FhirClient);
  private readonly pendingDoctors = signal<readonly Practitioner[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly lastDecision = signal<string | undefined>(undefined);

  readonly pending = this.pendingDoctors.asReadonly();
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly message = this.lastDecision.asReadonly();
  readonly empty = computed(() => !this.busy() && this.pendingDoctors().length === 0);

  async load(): Promise<void> {
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      const bundle = await firstValueFrom(this.fhir.search('Practitioner', { active: false, _sort: '_lastUpdated', _count: 100 }));
      this.pendingDoctors.set(matches(bundle));
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  /** `Practitioner/[id]/$verify`; the doctor leaves the queue once the server has recorded it. */
  async decide(practitioner: Practitioner, status: VerificationDecision, reason: string): Promise<boolean> {
    const id = practitioner.id;
    if (!id || !reason.trim()) {
      this.failure.set('Give a reason for the decision.');
      return false;
    }
    this.failure.set(undefined);
    const body: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'status', valueCode: status },
        { name: 'reason', valueString: reason.trim() },
      ],
    };
    try {
      await firstValueFrom(this.fhir.operation<Parameters>(`Practitioner/${encodeURIComponent(id)}/$verify`, { body }));
      this.pendingDoctors.update((doctors) => doctors.filter((doctor) => doctor.id !== id));
      this.lastDecision.set(status === 'validated' ? 'Doctor verified.' : 'Doctor rejected.');
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    }
  }
}
