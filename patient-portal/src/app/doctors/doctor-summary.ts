import type { Bundle, Money, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { resolveReference } from '../core/fhir/bundle';
import { formatHumanName } from '../shared/human-name.pipe';

const EXTENSION = 'https://medbuddy.dev/fhir/StructureDefinition/';

/** A listed doctor as the patient sees them: a PractitionerRole with its Practitioner. */
export interface DoctorSummary {
  readonly roleId: string;
  readonly role: PractitionerRole;
  readonly practitioner?: Practitioner;
  /** `Practitioner/<id>`. */
  readonly practitionerReference: string;
  readonly name: string;
  readonly specialties: readonly string[];
  readonly fee?: Money;
  readonly rating?: number;
  readonly reviewCount?: number;
  readonly yearsOfExperience?: number;
  /** BCP 47 codes of the consultation languages. */
  readonly languages: readonly string[];
  /** The doctor's IANA time zone, when given. */
  readonly timeZone?: string;
  readonly biography?: string;
}

export function doctorSummary(role: PractitionerRole, bundle?: Bundle): DoctorSummary {
  const practitionerReference = role.practitioner?.reference ?? '';
  const practitioner = bundle ? resolveReference<'Practitioner'>(bundle, practitionerReference) : undefined;
  const extension = (name: string) => role.extension?.filter((e) => e.url === `${EXTENSION}${name}`) ?? [];
  return {
    roleId: role.id ?? '',
    role,
    practitioner,
    practitionerReference,
    name: formatHumanName(practitioner?.name) || role.practitioner?.display || 'Doctor',
    specialties: (role.specialty ?? []).map((s) => s.text ?? s.coding?.[0]?.display ?? s.coding?.[0]?.code ?? '').filter(Boolean),
    fee: extension('consultation-fee')[0]?.valueMoney,
    rating: extension('average-rating')[0]?.valueDecimal,
    reviewCount: extension('review-count')[0]?.valueUnsignedInt,
    yearsOfExperience: extension('years-of-experience')[0]?.valueInteger,
    languages: extension('consultation-language')
      .map((e) => e.valueCode)
      .filter((code): code is string => !!code),
    timeZone: extension('timezone')[0]?.valueCode,
    biography: extension('biography')[0]?.valueMarkdown,
  };
}

/** `€45.00` in the browser's language. */
export function formatFee(fee: Money | undefined): string {
  if (fee?.value === undefined) {
    return '';
  }
  return fee.currency
    ? new Intl.NumberFormat(undefined, { style: 'currency', currency: fee.currency }).format(fee.value)
    : String(fee.value);
}

/** Markdown of a biography as plain paragraphs (no HTML is ever rendered from it). */
export function plainParagraphs(markdown: string | undefined): string[] {
  return (markdown ?? '')
    .split(/\n\s*\n/)
    .map((paragraph) =>
      paragraph
        .replace(/[*_`#>]+/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}
