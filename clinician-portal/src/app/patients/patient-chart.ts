import type {
  AllergyIntolerance,
  Bundle,
  Condition,
  DocumentReference,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Quantity,
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
  /** The latest vital sign of each kind (`Observation/$lastn`). */
  readonly vitals: readonly Observation[];
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

/** Sorts the resources of `Patient/$everything` pages into the chart's sections (vitals come from `Observation/$lastn`). */
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
    vitals: [],
    timeline,
  };
}

/** One card of the chart: a heading and its lines (or what to say when there are none). */
export interface ChartSection {
  readonly title: string;
  readonly lines: readonly string[];
  readonly empty: string;
}

/** The chart's cards in order: conditions, allergies, medications, documents, latest vitals. */
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
    {
      title: 'Latest vitals',
      lines: chart.vitals.map(
        (o) =>
          `${conceptText(o.code)}: ${observationValue(o)} · ${day(o.effectiveDateTime ?? o.effectiveInstant ?? o.effectivePeriod?.start)}`,
      ),
      empty: 'None recorded',
    },
  ];
}

/** An observation's value as read aloud: `72 kg`, `120/80 mm[Hg]` for a blood pressure's components, a text or a code. */
function observationValue(observation: Observation): string {
  const quantity = (q: Quantity | undefined) => (q?.value === undefined ? '' : `${q.value} ${q.unit ?? q.code ?? ''}`.trim());
  if (observation.valueQuantity) {
    return quantity(observation.valueQuantity);
  }
  const parts = (observation.component ?? []).map((c) => c.valueQuantity).filter((q): q is Quantity => q?.value !== undefined);
  if (parts.length > 0) {
    const unit = parts[0].unit ?? parts[0].code ?? '';
    return `${parts.map((q) => q.value).join('/')} ${unit}`.trim();
  }
  return observation.valueString ?? conceptText(observation.valueCodeableConcept);
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
