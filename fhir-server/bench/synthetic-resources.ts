import fs from 'node:fs';
import path from 'node:path';
import type {
  Appointment,
  Bundle,
  Extension,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Resource,
  Schedule,
  Slot,
} from '@medplum/fhirtypes';

/**
 * Resource factories for benchmark data. Patient, Practitioner and Organization keep the exact
 * shape of the Synthea samples in test/fixtures/synthea (extensions, identifiers, narrative);
 * the scheduling resources, which Synthea does not produce, follow the R4 examples. Everything
 * is a pure function of an index, so any entity can be recomputed without reading the database.
 */

/** A resource whose id is set. */
export type WithId<T extends Resource> = T & { id: string };

const SYNTHEA_DIR = path.resolve(__dirname, '../test/fixtures/synthea');
const SAMPLE_FILE = 'Ned_Hintz_e4b9259d-0f54-48d1-a35d-b526729a4dfe.json';

let samples: { patient: Patient; practitioner: Practitioner; organization: Organization } | undefined;

function syntheaSamples(): NonNullable<typeof samples> {
  if (!samples) {
    const bundle = JSON.parse(fs.readFileSync(path.join(SYNTHEA_DIR, SAMPLE_FILE), 'utf8')) as Bundle;
    const find = <T extends Resource>(type: string): T => {
      const resource = bundle.entry?.find((e) => e.resource?.resourceType === type)?.resource;
      if (!resource) {
        throw new Error(`${SAMPLE_FILE} has no ${type}`);
      }
      const { id: _id, ...rest } = resource;
      return rest as T;
    };
    samples = { patient: find('Patient'), practitioner: find('Practitioner'), organization: find('Organization') };
  }
  return samples;
}

/** A 32-bit integer hash of (index, salt): cheap, deterministic pseudo-randomness. */
export function mix(index: number, salt: number): number {
  let h = (index * 0x9e3779b1 + salt * 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A UUID-shaped id unique per (type salt, index). */
export function syntheticId(salt: number, index: number): string {
  const a = mix(index, salt).toString(16).padStart(8, '0');
  const b = mix(index, salt + 1000)
    .toString(16)
    .padStart(8, '0');
  return `${a}-${b.slice(0, 4)}-4${b.slice(4, 7)}-8${salt.toString(16).padStart(3, '0').slice(-3)}-${index.toString(16).padStart(12, '0')}`;
}

const CONSONANTS = 'bdfghklmnprstvwz';
const VOWELS = 'aeiou';

/**
 * The k-th family name (k < 512,000): three consonant-vowel syllables, so every name has six
 * letters and none is a prefix of another (FHIR string search matches by prefix).
 */
export function familyName(k: number): string {
  const scrambled = (k * 7919 + 104_729) % 512_000;
  const syllables = CONSONANTS.length * VOWELS.length; // 80
  let name = '';
  let rest = scrambled;
  for (let i = 0; i < 3; i++) {
    const s = rest % syllables;
    rest = Math.floor(rest / syllables);
    name += CONSONANTS[Math.floor(s / VOWELS.length)] + VOWELS[s % VOWELS.length];
  }
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const GIVEN = ['Ned', 'Ana', 'Joao', 'Maria', 'Floyd', 'Xuan', 'Weston', 'Jacob', 'Gerard', 'Fabian', 'Ines', 'Sofia'];

export function isoDay(base: string, days: number): string {
  return new Date(Date.parse(base) + days * 86_400_000).toISOString().slice(0, 10);
}

export interface PatientFacts {
  readonly family: string;
  readonly gender: 'male' | 'female';
  readonly birthDate: string;
}

export function syntheticPatient(id: string | undefined, index: number, facts: PatientFacts): Patient {
  const sample = syntheaSamples().patient;
  const given = GIVEN[mix(index, 7) % GIVEN.length];
  const mrn = syntheticId(99, index);
  return {
    ...sample,
    ...(id ? { id } : {}),
    identifier: [
      { system: 'https://github.com/synthetichealth/synthea', value: mrn },
      { ...sample.identifier?.[1], value: mrn },
      {
        ...sample.identifier?.[2],
        value: `999-${String(mix(index, 8) % 100).padStart(2, '0')}-${String(index % 10_000).padStart(4, '0')}`,
      },
    ],
    name: [{ use: 'official', family: facts.family, given: [given], prefix: [facts.gender === 'male' ? 'Mr.' : 'Ms.'] }],
    telecom: [
      {
        system: 'phone',
        value: `555-${String(mix(index, 9) % 1000).padStart(3, '0')}-${String(index % 10_000).padStart(4, '0')}`,
        use: 'home',
      },
    ],
    gender: facts.gender,
    birthDate: facts.birthDate,
  };
}

export function syntheticOrganization(id: string, index: number): WithId<Organization> {
  const sample = syntheaSamples().organization;
  return {
    ...sample,
    id,
    identifier: [{ system: 'https://github.com/synthetichealth/synthea', value: id }],
    name: `MEDBUDDY CLINIC ${index + 1}`,
  };
}

export function syntheticPractitioner(id: string, index: number, family: string): WithId<Practitioner> {
  const sample = syntheaSamples().practitioner;
  return {
    ...sample,
    id,
    identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: String(1_000_000_000 + index) }],
    name: [{ family, given: [GIVEN[mix(index, 10) % GIVEN.length]], prefix: ['Dr.'] }],
    gender: mix(index, 11) % 2 ? 'female' : 'male',
  };
}

/** SNOMED CT practice settings (ValueSet c80-practice-codes), the specialty codes used in the data. */
export const SPECIALTIES: readonly { code: string; display: string }[] = [
  { code: '394814009', display: 'General practice' },
  { code: '394579002', display: 'Cardiology' },
  { code: '394582007', display: 'Dermatology' },
  { code: '394583002', display: 'Endocrinology' },
  { code: '394584008', display: 'Gastroenterology' },
  { code: '394586005', display: 'Gynecology' },
  { code: '394807007', display: 'Infectious diseases' },
  { code: '419192003', display: 'Internal medicine' },
  { code: '394589003', display: 'Nephrology' },
  { code: '394591006', display: 'Neurology' },
  { code: '394585009', display: 'Obstetrics and gynecology' },
  { code: '394594003', display: 'Ophthalmology' },
  { code: '418960008', display: 'Otolaryngology' },
  { code: '394882004', display: 'Pain management' },
  { code: '394537008', display: 'Pediatric specialties' },
  { code: '394587001', display: 'Psychiatry' },
  { code: '394588006', display: 'Pediatric (Child and Adolescent) psychiatry' },
  { code: '394801008', display: 'Trauma and orthopedics' },
  { code: '394612005', display: 'Urology' },
  { code: '408443003', display: 'General medical practice' },
];
export const SPECIALTY_SYSTEM = 'http://snomed.info/sct';

export function syntheticPractitionerRole(
  id: string,
  refs: { practitioner: string; organization: string },
  specialty: { code: string; display: string },
  periodStart: string,
  index: number,
): WithId<PractitionerRole> {
  return {
    resourceType: 'PractitionerRole',
    id,
    active: true,
    period: { start: periodStart },
    practitioner: { reference: `Practitioner/${refs.practitioner}` },
    organization: { reference: `Organization/${refs.organization}` },
    code: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/practitioner-role', code: 'doctor', display: 'Doctor' }] }],
    specialty: [{ coding: [{ system: SPECIALTY_SYSTEM, ...specialty }] }],
    availableTime: [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '09:00:00', availableEndTime: '14:00:00' }],
    extension: discoveryExtensions(index),
  };
}

const MEDBUDDY_EXTENSION = 'https://medbuddy.dev/fhir/StructureDefinition/';
export const LANGUAGES: readonly string[] = ['en', 'de', 'fr', 'es', 'tr'];

/** What discovery filters and sorts on for role j: fee (EUR 20-199), languages, experience, rating (3.0-5.0). */
export function discoveryFacts(j: number): { fee: number; languages: string[]; experience: number; rating: number } {
  return {
    fee: 20 + (mix(j, 12) % 180),
    languages: ['en', LANGUAGES[1 + (mix(j, 13) % (LANGUAGES.length - 1))]],
    experience: mix(j, 14) % 40,
    rating: 3 + (mix(j, 15) % 21) / 10,
  };
}

function discoveryExtensions(j: number): Extension[] {
  const facts = discoveryFacts(j);
  return [
    { url: `${MEDBUDDY_EXTENSION}consultation-fee`, valueMoney: { value: facts.fee, currency: 'EUR' } },
    ...facts.languages.map((code) => ({ url: `${MEDBUDDY_EXTENSION}consultation-language`, valueCode: code })),
    { url: `${MEDBUDDY_EXTENSION}years-of-experience`, valueInteger: facts.experience },
    { url: `${MEDBUDDY_EXTENSION}average-rating`, valueDecimal: facts.rating },
    { url: `${MEDBUDDY_EXTENSION}review-count`, valueUnsignedInt: 1 + (mix(j, 16) % 500) },
  ];
}

export function syntheticSchedule(
  id: string,
  refs: { practitioner: string; practitionerRole: string },
  specialty: { code: string; display: string },
  horizon: { start: string; end: string },
): WithId<Schedule> {
  return {
    resourceType: 'Schedule',
    id,
    active: true,
    specialty: [{ coding: [{ system: SPECIALTY_SYSTEM, ...specialty }] }],
    actor: [{ reference: `Practitioner/${refs.practitioner}` }, { reference: `PractitionerRole/${refs.practitionerRole}` }],
    planningHorizon: horizon,
  };
}

export function syntheticSlot(id: string, schedule: string, start: string, end: string, status: 'free' | 'busy'): WithId<Slot> {
  return {
    resourceType: 'Slot',
    id,
    serviceType: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/service-type', code: '124', display: 'General Practice' }] }],
    schedule: { reference: `Schedule/${schedule}` },
    status,
    start,
    end,
  };
}

export function syntheticAppointment(
  id: string,
  refs: { patient: string; practitioner: string; slot: string },
  start: string,
  end: string,
): WithId<Appointment> {
  return {
    resourceType: 'Appointment',
    id,
    status: 'booked',
    serviceType: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/service-type', code: '124', display: 'General Practice' }] }],
    appointmentType: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'ROUTINE', display: 'Routine appointment' }],
    },
    start,
    end,
    slot: [{ reference: `Slot/${refs.slot}` }],
    participant: [
      { actor: { reference: `Patient/${refs.patient}` }, required: 'required', status: 'accepted' },
      { actor: { reference: `Practitioner/${refs.practitioner}` }, required: 'required', status: 'accepted' },
    ],
  };
}
