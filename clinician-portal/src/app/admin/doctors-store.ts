import { computed, inject, Injectable, signal } from '@angular/core';
import type { Parameters, Practitioner } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';

/** Verified (active) doctors, and suspending one (`$verify` with status `suspended`). */
@Injectable()
export class DoctorsStore {
  private readonly fhir = inject(FhirClient);
  private readonly verified = signal<readonly Practitioner[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly notice = signal<string | undefined>(undefined);

  readonly doctors = this.verified.asReadonly();
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly message = this.notice.asReadonly();
  readonly empty = computed(() => !this.busy() && this.verified().length === 0);

  async load(name = ''): Promise<void> {
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      const bundle = await firstValueFrom(this.fhir.search('Practitioner', { active: true, name: name.trim() || undefined, _count: 100 }));
      this.verified.set(matches(bundle));
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  /** Hides the doctor from patients at once; their future appointments stay and are counted for follow-up. */
  async suspend(practitioner: Practitioner, reason: string): Promise<boolean> {
    const id = practitioner.id;
    if (!id || !reason.trim()) {
      this.failure.set('Give a reason for the suspension.');
      return false;
    }
    this.failure.set(undefined);
    const body: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'status', valueCode: 'suspended' },
        { name: 'reason', valueString: reason.trim() },
      ],
    };
    try {
      const result = await firstValueFrom(this.fhir.operation<Parameters>(`Practitioner/${encodeURIComponent(id)}/$verify`, { body }));
      const future = (result.parameter ?? []).filter((p) => p.name === 'futureAppointment').length;
      this.verified.update((doctors) => doctors.filter((doctor) => doctor.id !== id));
      this.notice.set(
        future > 0 ? `Doctor suspended. ${future} future appointment${future === 1 ? '' : 's'} need follow-up.` : 'Doctor suspended.',
      );
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    }
  }
}
