import type { Extension, Money, Practitioner, PractitionerQualification, PractitionerRole } from '@medplum/fhirtypes';

const EXTENSION = 'https://medbuddy.dev/fhir/StructureDefinition/';
export const VERIFICATION_STATUS_URL = `${EXTENSION}verification-status`;
export const SPECIALTY_SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/specialty';
export const LANGUAGE_SYSTEM = 'urn:ietf:bcp:47';
/** The role extensions this wizard owns; others (rating, review count, time zone, slot length) are kept as they are. */
const OWNED_ROLE_EXTENSIONS = ['consultation-fee', 'consultation-language', 'years-of-experience', 'biography'].map(
  (n) => `${EXTENSION}${n}`,
);

export interface Qualification {
  readonly title: string;
  readonly issuer: string;
  /** `YYYY-MM-DD` */
  readonly start: string;
  /** `YYYY-MM-DD`, empty while it runs. */
  readonly end: string;
  readonly licenceNumber: string;
}

/** What the doctor fills in during onboarding. */
export interface DoctorProfile {
  readonly givenName: string;
  readonly familyName: string;
  readonly phone: string;
  readonly qualifications: readonly Qualification[];
  /** A code of the specialty ValueSet, with its display. */
  readonly specialty: { readonly code: string; readonly display: string } | undefined;
  /** BCP 47 codes. */
  readonly languages: readonly string[];
  readonly fee: number | undefined;
  readonly currency: NonNullable<Money['currency']>;
  readonly yearsOfExperience: number | undefined;
  readonly biography: string;
}

export type VerificationState = 'pending' | 'verified' | 'rejected' | 'suspended';

/** Where the administrator's decision stands: the extension `$verify` writes, else `active`. */
export function verificationState(practitioner: Practitioner | undefined): VerificationState {
  const code = practitioner?.extension?.find((e) => e.url === VERIFICATION_STATUS_URL)?.valueCode;
  if (code === 'verified' || code === 'rejected' || code === 'suspended') {
    return code;
  }
  return practitioner?.active ? 'verified' : 'pending';
}

/** The form's starting point from what is stored. */
export function profileFrom(practitioner: Practitioner | undefined, role: PractitionerRole | undefined): DoctorProfile {
  const name = practitioner?.name?.[0];
  const roleExtension = (n: string) => role?.extension?.filter((e) => e.url === `${EXTENSION}${n}`) ?? [];
  const specialty = role?.specialty?.[0]?.coding?.[0];
  return {
    givenName: name?.given?.join(' ') ?? '',
    familyName: name?.family ?? '',
    phone: practitioner?.telecom?.find((t) => t.system === 'phone')?.value ?? '',
    qualifications: (practitioner?.qualification ?? []).map((q) => ({
      title: q.code.text ?? q.code.coding?.[0]?.display ?? '',
      issuer: q.issuer?.display ?? '',
      start: q.period?.start ?? '',
      end: q.period?.end ?? '',
      licenceNumber: q.identifier?.[0]?.value ?? '',
    })),
    specialty: specialty?.code ? { code: specialty.code, display: specialty.display ?? specialty.code } : undefined,
    languages: roleExtension('consultation-language')
      .map((e) => e.valueCode)
      .filter((code): code is string => !!code),
    fee: roleExtension('consultation-fee')[0]?.valueMoney?.value,
    currency: roleExtension('consultation-fee')[0]?.valueMoney?.currency ?? 'EUR',
    yearsOfExperience: roleExtension('years-of-experience')[0]?.valueInteger,
    biography: roleExtension('biography')[0]?.valueMarkdown ?? '',
  };
}

/**
 * The doctor's Practitioner with the profile applied. `active` and the verification status are
 * the administrator's and are kept as stored; so are the e-mail address and any other field.
 */
export function practitionerWith(stored: Practitioner & { id: string }, profile: DoctorProfile): Practitioner & { id: string } {
  const telecom = (stored.telecom ?? []).filter((t) => t.system !== 'phone');
  if (profile.phone.trim()) {
    telecom.push({ system: 'phone', value: profile.phone.trim(), use: 'work' });
  }
  return {
    ...stored,
    name: [{ use: 'official', given: profile.givenName.trim().split(/\s+/).filter(Boolean), family: profile.familyName.trim() }],
    telecom,
    qualification: profile.qualifications.map(qualificationOf),
    communication: profile.languages.map((code) => ({ coding: [{ system: LANGUAGE_SYSTEM, code }] })),
  };
}

/** The doctor's PractitionerRole (the directory entry patients search) with the profile applied. */
export function roleWith(stored: PractitionerRole | undefined, practitionerReference: string, profile: DoctorProfile): PractitionerRole {
  const kept = (stored?.extension ?? []).filter((e) => !OWNED_ROLE_EXTENSIONS.includes(e.url));
  const extension: Extension[] = [
    ...kept,
    ...(profile.fee !== undefined
      ? [{ url: `${EXTENSION}consultation-fee`, valueMoney: { value: profile.fee, currency: profile.currency } }]
      : []),
    ...profile.languages.map((code) => ({ url: `${EXTENSION}consultation-language`, valueCode: code })),
    ...(profile.yearsOfExperience !== undefined
      ? [{ url: `${EXTENSION}years-of-experience`, valueInteger: profile.yearsOfExperience }]
      : []),
    ...(profile.biography.trim() ? [{ url: `${EXTENSION}biography`, valueMarkdown: profile.biography.trim() }] : []),
  ];
  return {
    ...(stored ?? {}),
    resourceType: 'PractitionerRole',
    active: true,
    practitioner: { reference: practitionerReference },
    specialty: profile.specialty
      ? [
          {
            coding: [{ system: SPECIALTY_SYSTEM, code: profile.specialty.code, display: profile.specialty.display }],
            text: profile.specialty.display,
          },
        ]
      : [],
    extension,
  };
}

function qualificationOf(q: Qualification): PractitionerQualification {
  return {
    ...(q.licenceNumber.trim() ? { identifier: [{ value: q.licenceNumber.trim() }] } : {}),
    code: { text: q.title.trim() },
    period: { start: q.start, ...(q.end ? { end: q.end } : {}) },
    issuer: { display: q.issuer.trim() },
  };
}
