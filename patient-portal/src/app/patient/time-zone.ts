import type { Patient } from '@medplum/fhirtypes';

/**
 * The patient's IANA time zone, as the HL7 extension `tz-code`
 * (http://hl7.org/fhir/StructureDefinition/tz-code) on Patient: MedBuddy's own `timezone`
 * extension is defined for Schedule and PractitionerRole only.
 */
export const TIME_ZONE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/tz-code';

/** The zone this browser runs in, e.g. `Europe/Madrid`. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every zone the browser knows, for pickers (at least the given one). */
export function knownTimeZones(include: string): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes(include) ? zones : [include, ...zones];
}

/** The zone the patient chose, if any. */
export function patientTimeZone(patient: Patient | undefined): string | undefined {
  return patient?.extension?.find((extension) => extension.url === TIME_ZONE_EXTENSION)?.valueCode;
}

/** The patient with `zone` as their time zone (replacing any earlier one). */
export function withTimeZone(patient: Patient, zone: string): Patient {
  const others = (patient.extension ?? []).filter((extension) => extension.url !== TIME_ZONE_EXTENSION);
  return { ...patient, extension: [...others, { url: TIME_ZONE_EXTENSION, valueCode: zone }] };
}

/** `Tue, 1 Dec 2026, 09:00` in `zone` (the browser's language decides the order). */
export function formatDateTime(instant: string | undefined, zone: string): string {
  return instant
    ? new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(instant))
    : '';
}

/** `09:00` in `zone`. */
export function formatTime(instant: string, zone: string): string {
  return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(instant));
}

/** `Tuesday, 1 December 2026` in `zone`. */
export function formatDay(instant: string, zone: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeZone: zone }).format(new Date(instant));
}

/** A key for the calendar day of an instant in `zone` (`2026-12-01`), to group slots by day. */
export function dayKey(instant: string, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone }).format(new Date(instant));
}
