import type {
  AllergyIntolerance,
  Bundle,
  Condition,
  DocumentReference,
  MedicationRequest,
  MedicationStatement,
  Patient,
  Resource,
} from '@medplum/fhirtypes';

/** One line of the chart's timeline. */
export interface TimelineEntry {
  readonly date: string;
  readonly kind: string;
  readonly text: string;
}

/** A patient's record as the chart shows it, read-only. */
export interface PatientChart {
  readonly patient: Patient | undefined;
  readonly conditions: readonly Condition[];
  readonly allergies: readonly AllergyIntolerance[];
  readonly medications: readonly (MedicationStatement | MedicationRequest)[];
  readonly documents: readonly DocumentReference[];
  readonly timeline: readonly TimelineEntry[];
}

/** The types `$everything` is asked for. */
export const CHART_TYPES = [
  'Patient',
  'Condition',
  'AllergyIntolerance',
  'MedicationStatement',
  'MedicationRequest',
  'DocumentReference',
  'Encounter',
  'Appointment',
  'Composition',
] as const;

/** Sorts the resources of `Patient/$everything` pages into the chart's sections. */
export function chartOf(resources: readonly Resource[]): PatientChart {
  const ofType = <T extends Resource>(type: T['resourceType']) => resources.filter((r): r is T => r.resourceType === type);
  const timeline = resources
    .map(timelineEntry)
    .filter((entry): entry is TimelineEntry => !!entry)
    .sort((a, b) => b.date.localeCompare(a.date));
  return {
    patient: ofType<Patient>('Patient')[0],
    conditions: ofType<Condition>('Condition'),
    allergies: ofType<AllergyIntolerance>('AllergyIntolerance'),
    medications: [...ofType<MedicationStatement>('MedicationStatement'), ...ofType<MedicationRequest>('MedicationRequest')],
    documents: ofType<DocumentReference>('DocumentReference'),
    timeline,
  };
}

/** One card of the chart: a heading and its lines (or what to say when there are none). */
export interface ChartSection {
  readonly title: string;
  readonly lines: readonly string[];
  readonly empty: string;
}

/** The chart's cards in order: conditions, allergies, medications, documents. */
export function chartSections(chart: PatientChart): ChartSection[] {
  const day = (date: string | undefined) =>
    date ? new Date(date).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' }) : '';
  return [
    { title: 'Conditions', lines: chart.conditions.map((c) => conceptText(c.code)), empty: 'None recorded' },
    { title: 'Allergies', lines: chart.allergies.map((a) => conceptText(a.code)), empty: 'None recorded' },
    {
      title: 'Medications',
      lines: chart.medications.map(
        (m) =>
          `${conceptText((m as { medicationCodeableConcept?: Parameters<typeof conceptText>[0] }).medicationCodeableConcept)} (${m.status})`,
      ),
      empty: 'None recorded',
    },
    {
      title: 'Documents',
      lines: chart.documents.map((d) => `${d.content[0]?.attachment?.title ?? 'Document'} · ${day(d.date)}`),
      empty: 'None',
    },
  ];
}

export function resourcesOf(bundle: Bundle): Resource[] {
  return (bundle.entry ?? []).map((entry) => entry.resource).filter((resource): resource is Resource => !!resource);
}

/** The text of a CodeableConcept-like value: its text, else the first display or code. */
export function conceptText(concept: { text?: string; coding?: { display?: string; code?: string }[] } | undefined): string {
  return concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? '';
}

function timelineEntry(resource: Resource): TimelineEntry | undefined {
  switch (resource.resourceType) {
    case 'Encounter':
      return dated(resource.period?.start, 'Consultation', `${resource.status}`);
    case 'Appointment':
      return dated(resource.start, 'Appointment', `${resource.status}${resource.description ? ` · ${resource.description}` : ''}`);
    case 'Composition':
      return dated(resource.date, 'Note', `${resource.title} (${resource.status})`);
    case 'MedicationRequest':
      return dated(resource.authoredOn, 'Prescription', conceptText(resource.medicationCodeableConcept));
    case 'DocumentReference':
      return dated(resource.date, 'Document', resource.content?.[0]?.attachment?.title ?? resource.description ?? 'Document');
    case 'Condition':
      return dated(resource.recordedDate ?? resource.onsetDateTime, 'Condition', conceptText(resource.code));
    default:
      return undefined;
  }
}

function dated(date: string | undefined, kind: string, text: string): TimelineEntry | undefined {
  return date ? { date, kind, text } : undefined;
}
