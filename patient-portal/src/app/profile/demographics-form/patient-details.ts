import type { ContactPoint, Patient } from '@medplum/fhirtypes';
import { patientTimeZone, withTimeZone } from '../../patient/time-zone';

/** The profile form's fields, as plain values. */
export interface PatientDetails {
  readonly givenName: string;
  readonly familyName: string;
  readonly gender: '' | 'female' | 'male' | 'other' | 'unknown';
  readonly birthDate: string;
  readonly phone: string;
  /** BCP 47 code of the preferred language (`urn:ietf:bcp:47`), or ''. */
  readonly language: string;
  readonly timeZone: string;
}

const BCP47 = 'urn:ietf:bcp:47';

export function detailsOf(patient: Patient, fallbackZone: string): PatientDetails {
  const name = patient.name?.[0];
  const preferred = patient.communication?.find((c) => c.preferred) ?? patient.communication?.[0];
  return {
    givenName: name?.given?.join(' ') ?? '',
    familyName: name?.family ?? '',
    gender: patient.gender ?? '',
    birthDate: patient.birthDate ?? '',
    phone: patient.telecom?.find((t) => t.system === 'phone')?.value ?? '',
    language: preferred?.language.coding?.find((c) => c.system === BCP47)?.code ?? '',
    timeZone: patientTimeZone(patient) ?? fallbackZone,
  };
}

/**
 * The patient with the form's values; everything the form does not show (other names,
 * addresses, the e-mail, other languages) is kept as it was.
 */
export function applyDetails(patient: Patient, details: PatientDetails, languageDisplay?: string): Patient {
  const [firstName, ...otherNames] = patient.name ?? [];
  const given = details.givenName.trim().split(/\s+/).filter(Boolean);
  const name = { ...firstName, given: given.length ? given : undefined, family: details.familyName.trim() || undefined, text: undefined };
  const otherTelecom = (patient.telecom ?? []).filter((t) => t.system !== 'phone');
  const phone: ContactPoint[] = details.phone.trim() ? [{ system: 'phone', value: details.phone.trim(), use: 'mobile' }] : [];
  const otherLanguages = (patient.communication ?? [])
    .filter((c) => !c.language.coding?.some((coding) => coding.system === BCP47 && coding.code === details.language))
    .map((c) => ({ ...c, preferred: undefined }));
  const communication = details.language
    ? [{ language: { coding: [{ system: BCP47, code: details.language, display: languageDisplay }] }, preferred: true }, ...otherLanguages]
    : otherLanguages;
  return withTimeZone(
    {
      ...patient,
      name: [name, ...otherNames],
      gender: details.gender || undefined,
      birthDate: details.birthDate || undefined,
      telecom: [...otherTelecom, ...phone],
      communication: communication.length ? communication : undefined,
    },
    details.timeZone,
  );
}
