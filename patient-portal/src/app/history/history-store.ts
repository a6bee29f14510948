import { computed, inject, Injectable, signal } from '@angular/core';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { PatientStore } from '../patient/patient-store';
import { HistoryApi, type TimelineEntry, type TimelineKind } from './history-api';

export const TIMELINE_KINDS: readonly { readonly kind: TimelineKind; readonly label: string; readonly icon: string }[] = [
  { kind: 'consultation', label: 'Consultations', icon: 'event' },
  { kind: 'note', label: 'Notes', icon: 'description' },
  { kind: 'prescription', label: 'Prescriptions', icon: 'medication' },
  { kind: 'report', label: 'Reports', icon: 'upload' },
];

/** Entries of one month, newest first. */
export interface TimelineMonth {
  readonly label: string;
  readonly entries: readonly TimelineEntry[];
}

/** The history timeline: every entry newest first, the kinds shown, grouped by month in the patient's zone. */
@Injectable()
export class HistoryStore {
  private readonly api = inject(HistoryApi);
  private readonly patients = inject(PatientStore);
  private readonly entries = signal<TimelineEntry[]>([]);

  readonly loading = signal(true);
  readonly error = signal<string | undefined>(undefined);
  readonly shown = signal<readonly TimelineKind[]>(TIMELINE_KINDS.map((k) => k.kind));

  readonly visible = computed(() => {
    const shown = new Set(this.shown());
    return this.entries().filter((entry) => shown.has(entry.kind));
  });
  readonly counts = computed(() => {
    const counts = new Map<TimelineKind, number>();
    for (const entry of this.entries()) {
      counts.set(entry.kind, (counts.get(entry.kind) ?? 0) + 1);
    }
    return counts;
  });
  readonly months = computed<TimelineMonth[]>(() => {
    const format = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: this.patients.timeZone() });
    const months: { label: string; entries: TimelineEntry[] }[] = [];
    for (const entry of this.visible()) {
      const label = entry.date ? format.format(new Date(entry.date)) : 'Undated';
      const last = months.at(-1);
      if (last?.label === label) {
        last.entries.push(entry);
      } else {
        months.push({ label, entries: [entry] });
      }
    }
    return months;
  });

  async load(): Promise<void> {
    this.loading.set(true);
    this.error.set(undefined);
    try {
      const patient = await this.patients.load();
      this.entries.set(await this.api.timeline(patient.id as string));
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.loading.set(false);
    }
  }
}
