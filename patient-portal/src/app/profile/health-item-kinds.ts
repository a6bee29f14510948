import type { AllergyIntolerance, Condition, MedicationStatement } from '@medplum/fhirtypes';

/** A health record entry a patient keeps themselves: a condition, an allergy or a medication. */
export type HealthResource = Condition | AllergyIntolerance | MedicationStatement;

/** What the patient types in for one entry. */
export interface HealthItemInput {
  /** What it is, in the patient's words: "Asthma", "Peanuts", "Salbutamol inhaler". */
  readonly name: string;
  /** Notes, the reaction, or how the medication is taken. */
  readonly detail: string;
  /** Allergies only: how dangerous a reaction is. */
  readonly criticality?: 'low' | 'high' | 'unable-to-assess';
}

/** How one kind of entry maps to FHIR, and how the page words it. */
export interface HealthItemKind {
  readonly resourceType: HealthResource['resourceType'];
  readonly title: string;
  /** "a condition": used in buttons and messages. */
  readonly noun: string;
  readonly nameLabel: string;
  readonly detailLabel: string;
  readonly empty: string;
  /** The search parameter linking it to the patient. */
  readonly patientParam: 'patient' | 'subject';
  readonly hasCriticality: boolean;
  read(resource: HealthResource): HealthItemInput;
  /** The resource for `input`, on top of `existing` when editing (its other elements are kept). */
  write(input: HealthItemInput, patient: string, existing?: HealthResource): HealthResource;
}

const PROFILE_BASE = 'https://medbuddy.dev/fhir/StructureDefinition/';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function noteOf(resource: { note?: { text: string }[] }): string {
  return resource.note?.[0]?.text ?? '';
}

function withNote(detail: string): { note?: { text: string }[] } {
  return detail.trim() ? { note: [{ text: detail.trim() }] } : { note: undefined };
}

export const CONDITIONS: HealthItemKind = {
  resourceType: 'Condition',
  title: 'Conditions',
  noun: 'condition',
  nameLabel: 'Condition',
  detailLabel: 'Notes (optional)',
  empty: 'No conditions recorded.',
  patientParam: 'subject',
  hasCriticality: false,
  read: (resource) => ({ name: (resource as Condition).code?.text ?? '', detail: noteOf(resource as Condition) }),
  write: (input, patient, existing) => ({
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    recordedDate: today(),
    ...(existing as Condition | undefined),
    resourceType: 'Condition',
    meta: { ...existing?.meta, profile: [`${PROFILE_BASE}medbuddy-condition`] },
    code: { text: input.name.trim() },
    subject: { reference: patient },
    ...withNote(input.detail),
  }),
};

export const ALLERGIES: HealthItemKind = {
  resourceType: 'AllergyIntolerance',
  title: 'Allergies',
  noun: 'allergy',
  nameLabel: 'Allergic to',
  detailLabel: 'Reaction (optional)',
  empty: 'No allergies recorded.',
  patientParam: 'patient',
  hasCriticality: true,
  read: (resource) => {
    const allergy = resource as AllergyIntolerance;
    return { name: allergy.code?.text ?? '', detail: noteOf(allergy), criticality: allergy.criticality };
  },
  write: (input, patient, existing) => ({
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    recordedDate: today(),
    ...(existing as AllergyIntolerance | undefined),
    resourceType: 'AllergyIntolerance',
    meta: { ...existing?.meta, profile: [`${PROFILE_BASE}medbuddy-allergy`] },
    code: { text: input.name.trim() },
    patient: { reference: patient },
    criticality: input.criticality,
    ...withNote(input.detail),
  }),
};

export const MEDICATIONS: HealthItemKind = {
  resourceType: 'MedicationStatement',
  title: 'Current medications',
  noun: 'medication',
  nameLabel: 'Medication',
  detailLabel: 'How you take it (optional)',
  empty: 'No medications recorded.',
  patientParam: 'subject',
  hasCriticality: false,
  read: (resource) => {
    const statement = resource as MedicationStatement;
    return { name: statement.medicationCodeableConcept?.text ?? '', detail: statement.dosage?.[0]?.text ?? '' };
  },
  write: (input, patient, existing) => ({
    status: 'active',
    ...(existing as MedicationStatement | undefined),
    resourceType: 'MedicationStatement',
    meta: { ...existing?.meta, profile: [`${PROFILE_BASE}medbuddy-medication-statement`] },
    medicationCodeableConcept: { text: input.name.trim() },
    subject: { reference: patient },
    dosage: input.detail.trim() ? [{ text: input.detail.trim() }] : undefined,
  }),
};
