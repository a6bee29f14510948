import { computed, inject, Injectable, signal } from '@angular/core';
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';

/** The types of a patient's timeline, all searchable by `timeline-date`. */
export const TIMELINE_TYPES = ['Encounter', 'Composition', 'MedicationRequest', 'DocumentReference', 'Condition', 'Appointment'];

/** One line of a patient's timeline. */
export interface TimelineEntry {
  readonly id: string;
  readonly date: string | undefined;
  readonly kind: string;
  readonly text: string;
}

/**
 * The doctor's patients: the server answers `Patient` searches with the patients the doctor has a
 * care relationship with (a shared Appointment or Encounter) and nobody else; and one patient's
 * chart, their timeline through `Patient/[id]/$everything` sorted by `timeline-date`.
 */
@Injectable()
export class PatientsStore {
  private readonly fhir = inject(FhirClient);
  private readonly list = signal<readonly Patient[]>([]);
  private readonly chartPatient = signal<Patient | undefined>(undefined);
  private readonly entries = signal<readonly TimelineEntry[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);

  readonly patients = this.list.asReadonly();
  readonly patient = this.chartPatient.asReadonly();
  readonly timeline = this.entries.asReadonly();
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly empty = computed(() => !this.busy() && this.list().length === 0);

  async loadPatients(name = ''): Promise<void> {
    await this.run(async () => {
      const bundle = await firstValueFrom(this.fhir.search('Patient', { name: name.trim() || undefined, _count: 100 }));
      this.list.set(matches(bundle));
    });
  }

  async loadChart(id: string): Promise<void> {
    await this.run(async () => {
      const [patient, everything] = await Promise.all([
        firstValueFrom(this.fhir.read('Patient', id)),
        firstValueFrom(
          this.fhir.operation<Bundle>(`Patient/${encodeURIComponent(id)}/$everything`, {
            method: 'GET',
            params: { _type: TIMELINE_TYPES.join(','), _sort: '-timeline-date', _count: 100 },
          }),
        ),
      ]);
      this.chartPatient.set(patient);
      this.entries.set(matches(everything).flatMap((resource) => timelineEntry(resource)));
    });
  }

  private async run(work: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      await work();
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}

/** A timeline line for a resource of the timeline types; other resources give none. */
export function timelineEntry(resource: Resource): TimelineEntry[] {
  const id = `${resource.resourceType}/${resource.id}`;
  switch (resource.resourceType) {
    case 'Encounter':
      return [{ id, date: resource.period?.start, kind: 'Consultation', text: resource.status }];
    case 'Composition':
      return [{ id, date: resource.date, kind: 'Note', text: `${resource.title} (${resource.status})` }];
    case 'MedicationRequest':
      return [
        {
          id,
          date: resource.authoredOn,
          kind: 'Prescription',
          text: `${resource.medicationCodeableConcept?.text ?? resource.medicationCodeableConcept?.coding?.[0]?.display ?? ''}: ${resource.dosageInstruction?.[0]?.text ?? ''}`,
        },
      ];
    case 'DocumentReference':
      return [{ id, date: resource.date, kind: 'Report', text: resource.description ?? resource.content[0]?.attachment.title ?? '' }];
    case 'Condition':
      return [
        { id, date: resource.recordedDate, kind: 'Condition', text: resource.code?.text ?? resource.code?.coding?.[0]?.display ?? '' },
      ];
    case 'Appointment':
      return [{ id, date: resource.start, kind: 'Appointment', text: resource.status }];
    default:
      return [];
  }
}
