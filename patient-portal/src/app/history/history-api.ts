import { inject, Injectable } from '@angular/core';
import type { Bundle, Composition, DocumentReference, Encounter, MedicationRequest, Practitioner, Resource } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { linkUrl, matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { formatHumanName } from '../shared/human-name.pipe';

export type TimelineKind = 'consultation' | 'note' | 'prescription' | 'report';

/** One entry of the medical history, whatever resource it comes from. */
export interface TimelineEntry {
  /** `<type>/<id>` of the resource. */
  readonly key: string;
  readonly kind: TimelineKind;
  readonly date?: string;
  readonly title: string;
  readonly detail: string;
  /** The doctor (or author) named on the entry. */
  readonly doctor?: string;
  /** A finished consultation's Encounter id (it can be reviewed). */
  readonly finishedEncounterId?: string;
}

const TIMELINE_TYPES = 'Encounter,Composition,MedicationRequest,DocumentReference';
/** Bound on the pages followed: a history of several hundred entries is read whole. */
const MAX_PAGES = 10;

/**
 * The patient's medical history from `Patient/<id>/$everything`, newest first
 * (`_sort=-timeline-date`: one date for every type): consultations, the notes doctors signed
 * (a draft is not shared yet), prescriptions and reports; doctors named from the public directory.
 */
@Injectable({ providedIn: 'root' })
export class HistoryApi {
  private readonly fhir = inject(FhirClient);

  async timeline(patientId: string): Promise<TimelineEntry[]> {
    const resources: Resource[] = [];
    let bundle: Bundle = await firstValueFrom(
      this.fhir.operation<Bundle>(`Patient/${encodeURIComponent(patientId)}/$everything`, {
        method: 'GET',
        params: { _type: TIMELINE_TYPES, _sort: '-timeline-date', _count: 100 },
      }),
    );
    for (let page = 1; ; page++) {
      resources.push(...matches(bundle));
      const next = linkUrl(bundle, 'next');
      if (!next || page >= MAX_PAGES) {
        break;
      }
      bundle = await firstValueFrom(this.fhir.page(next));
    }
    const doctors = await this.doctorNames(resources);
    const entries = resources.flatMap((resource) => {
      const entry = toEntry(resource, doctors);
      return entry ? [entry] : [];
    });
    // The server sorts a consultation by the end of its period, the page shows its start.
    return entries.sort((a, b) => time(b.date) - time(a.date));
  }

  /** Names of the Practitioners the entries refer to (`Practitioner?_id=...`, the public directory). */
  private async doctorNames(resources: readonly Resource[]): Promise<Map<string, string>> {
    const ids = [...new Set(resources.flatMap(doctorReferences).map((reference) => reference.slice('Practitioner/'.length)))];
    const names = new Map<string, string>();
    if (ids.length === 0) {
      return names;
    }
    const bundle = await firstValueFrom(this.fhir.search('Practitioner', { _id: ids.join(','), _count: ids.length }));
    for (const practitioner of matches(bundle) as Practitioner[]) {
      names.set(`Practitioner/${practitioner.id}`, formatHumanName(practitioner.name));
    }
    return names;
  }
}

function doctorReferences(resource: Resource): string[] {
  const references = (() => {
    switch (resource.resourceType) {
      case 'Encounter':
        return (resource.participant ?? []).map((p) => p.individual?.reference);
      case 'Composition':
        return resource.author.map((a) => a.reference);
      case 'MedicationRequest':
        return [resource.requester?.reference];
      case 'DocumentReference':
        return (resource.author ?? []).map((a) => a.reference);
      default:
        return [];
    }
  })();
  return references.filter((reference): reference is string => !!reference?.startsWith('Practitioner/'));
}

const ENCOUNTER_STATUS: Readonly<Record<string, string>> = {
  planned: 'Planned',
  arrived: 'In the waiting room',
  triaged: 'In the waiting room',
  'in-progress': 'In progress',
  onleave: 'Paused',
  finished: 'Finished',
  cancelled: 'Cancelled',
};

/** A resource as a timeline entry; undefined for what the timeline leaves out (drafts, errors). */
export function toEntry(resource: Resource, doctors: ReadonlyMap<string, string>): TimelineEntry | undefined {
  const key = `${resource.resourceType}/${resource.id}`;
  const doctor = doctorReferences(resource)
    .map((reference) => doctors.get(reference))
    .find(Boolean);
  switch (resource.resourceType) {
    case 'Encounter':
      return encounterEntry(resource, key, doctor);
    case 'Composition':
      return noteEntry(resource, key, doctor);
    case 'MedicationRequest':
      return prescriptionEntry(resource, key, doctor);
    case 'DocumentReference':
      return reportEntry(resource, key, doctor);
    default:
      return undefined;
  }
}

function encounterEntry(encounter: Encounter, key: string, doctor: string | undefined): TimelineEntry | undefined {
  if (encounter.status === 'entered-in-error') {
    return undefined;
  }
  const reason = encounter.reasonCode?.[0]?.text ?? encounter.reasonCode?.[0]?.coding?.[0]?.display;
  return {
    key,
    kind: 'consultation',
    date: encounter.period?.start,
    title: reason ?? 'Video consultation',
    detail: ENCOUNTER_STATUS[encounter.status] ?? encounter.status,
    doctor,
    finishedEncounterId: encounter.status === 'finished' ? encounter.id : undefined,
  };
}

function noteEntry(note: Composition, key: string, doctor: string | undefined): TimelineEntry | undefined {
  // A draft (preliminary) is the doctor's work in progress: shared once signed.
  if (note.status !== 'final' && note.status !== 'amended') {
    return undefined;
  }
  const sections = (note.section ?? []).map((section) => {
    const text = plainText(section.text?.div);
    return section.title && !text.startsWith(section.title) ? `${section.title}: ${text}` : text;
  });
  return {
    key,
    kind: 'note',
    date: note.date,
    title: note.title || 'Consultation note',
    detail: sections.filter(Boolean).join('\n'),
    doctor,
  };
}

function prescriptionEntry(request: MedicationRequest, key: string, doctor: string | undefined): TimelineEntry | undefined {
  if (request.status === 'entered-in-error' || request.status === 'draft') {
    return undefined;
  }
  const dosage = (request.dosageInstruction ?? []).map((d) => d.text).filter(Boolean);
  const stopped = request.status === 'cancelled' || request.status === 'stopped' ? ` (${request.status})` : '';
  return {
    key,
    kind: 'prescription',
    date: request.authoredOn,
    title: (request.medicationCodeableConcept?.text ?? request.medicationCodeableConcept?.coding?.[0]?.display ?? 'Medicine') + stopped,
    detail: dosage.join('; '),
    doctor,
  };
}

function reportEntry(document: DocumentReference, key: string, doctor: string | undefined): TimelineEntry | undefined {
  if (document.status !== 'current') {
    return undefined;
  }
  return {
    key,
    kind: 'report',
    date: document.date,
    title: document.content?.[0]?.attachment?.title ?? document.description ?? 'Report',
    detail: document.category?.[0]?.text ?? document.category?.[0]?.coding?.[0]?.display ?? '',
    doctor,
  };
}

function time(date: string | undefined): number {
  return date ? Date.parse(date) : 0;
}

/** The text of a narrative `div` (XHTML), without markup. */
function plainText(div: string | undefined): string {
  if (!div) {
    return '';
  }
  return (new DOMParser().parseFromString(div, 'text/html').body.textContent ?? '').replace(/\s+/g, ' ').trim();
}
