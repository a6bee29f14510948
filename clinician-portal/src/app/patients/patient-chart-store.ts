import { inject, Injectable, signal } from '@angular/core';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { linkUrl } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { CHART_TYPES, chartOf, resourcesOf, type PatientChart } from './patient-chart';

/** Pages of `$everything` read at most, so a huge record cannot stall the page. */
const MAX_PAGES = 10;

/**
 * One patient's chart from `Patient/[id]/$everything` and their latest vitals from
 * `Observation/$lastn`; the server answers 404 outside a care relationship.
 */
@Injectable()
export class PatientChartStore {
  private readonly fhir = inject(FhirClient);
  private readonly current = signal<PatientChart | undefined>(undefined);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);

  readonly chart = this.current.asReadonly();
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();

  async load(patientId: string): Promise<void> {
    this.busy.set(true);
    this.failure.set(undefined);
    this.current.set(undefined);
    try {
      let bundle = await firstValueFrom(
        this.fhir.operation<Bundle>(`Patient/${encodeURIComponent(patientId)}/$everything`, {
          method: 'GET',
          params: { _type: CHART_TYPES.join(','), _count: 100 },
        }),
      );
      const resources = resourcesOf(bundle);
      for (let page = 1; page < MAX_PAGES; page++) {
        const next = linkUrl(bundle, 'next');
        if (!next) {
          break;
        }
        bundle = await firstValueFrom(this.fhir.page(next));
        resources.push(...resourcesOf(bundle));
      }
      const chart = chartOf(resources);
      if (!chart.patient) {
        this.failure.set('We could not find this patient among yours.');
        return;
      }
      const vitals = await firstValueFrom(
        this.fhir.operation<Bundle>('Observation/$lastn', {
          method: 'GET',
          params: { patient: `Patient/${patientId}`, category: 'vital-signs' },
        }),
      );
      this.current.set({ ...chart, vitals: resourcesOf(vitals) as Observation[] });
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
