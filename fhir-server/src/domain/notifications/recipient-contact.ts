import type { CodeableConcept, ContactPoint, Extension, Patient, Practitioner } from '@medplum/fhirtypes';

/** http://hl7.org/fhir/extensions/StructureDefinition-tz-code.html: a person's IANA time zone. */
export const TIME_ZONE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/tz-code';

/** How to reach a person by e-mail, in their words and their time. */
export interface RecipientContact {
  readonly email?: string;
  /** BCP 47 language, e.g. `fr` or `fr-CA`, when the resource says one. */
  readonly language?: string;
  /** IANA time zone when the resource carries the tz-code extension. */
  readonly timeZone?: string;
}

export function recipientContact(resource: Patient | Practitioner): RecipientContact {
  return {
    email: currentEmail(resource.telecom),
    language: resource.resourceType === 'Patient' ? patientLanguage(resource) : firstLanguage(resource.communication),
    timeZone: timeZoneOf(resource.extension),
  };
}

function currentEmail(telecom: readonly ContactPoint[] | undefined): string | undefined {
  const emails = (telecom ?? []).filter((t) => t.system === 'email' && t.value && !t.period?.end);
  emails.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
  return emails[0]?.value?.trim();
}

function patientLanguage(patient: Patient): string | undefined {
  const languages = patient.communication ?? [];
  const preferred = languages.find((c) => c.preferred) ?? languages[0];
  return languageCode(preferred?.language);
}

function firstLanguage(languages: readonly CodeableConcept[] | undefined): string | undefined {
  return languageCode(languages?.[0]);
}

function languageCode(concept: CodeableConcept | undefined): string | undefined {
  return concept?.coding?.find((c) => c.code)?.code;
}

function timeZoneOf(extensions: readonly Extension[] | undefined): string | undefined {
  const zone = extensions?.find((e) => e.url === TIME_ZONE_EXTENSION)?.valueCode;
  return zone && isTimeZone(zone) ? zone : undefined;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
