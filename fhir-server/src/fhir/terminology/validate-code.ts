import type { ValueSet } from '@medplum/fhirtypes';
import { expandCompose, includesInactive } from './compose-expansion';
import { displayIn } from './expand-value-set';
import type { TerminologySource } from './terminology-source';

export interface CodeToValidate {
  /** Absent for `code` elements, whose system the value set implies. */
  readonly system?: string;
  readonly code: string;
  readonly display?: string;
  /** The code system version the code was taken from, when the source data says. */
  readonly version?: string;
}

export interface CodeValidation {
  readonly result: boolean;
  readonly message?: string;
  /** The code's display in the value set, when the code is in it. */
  readonly display?: string;
}

/**
 * http://hl7.org/fhir/R4/valueset-operation-validate-code.html: is the code a member of the
 * value set? Retired codes are not members unless the value set includes inactive codes, and
 * abstract (not selectable) codes only when `abstractAllowed`, and a code of another version of
 * its code system is not either. A wrong display is reported in `message` but does not make
 * the code invalid.
 */
export async function validateCode(
  valueSet: ValueSet,
  source: TerminologySource,
  candidate: CodeToValidate,
  options: { abstractAllowed?: boolean; displayLanguage?: string } = {},
): Promise<CodeValidation> {
  const concepts = await expandCompose(valueSet, source);
  const label = valueSet.url ?? valueSet.id ?? '(inline value set)';
  const coded = candidate.system ? `${candidate.system}#${candidate.code}` : `"${candidate.code}"`;
  const concept = concepts.find((c) => c.code === candidate.code && (!candidate.system || c.system === candidate.system));
  if (!concept) {
    return { result: false, message: `The code ${coded} is not in the value set ${label}` };
  }
  if (candidate.version && concept.version && candidate.version !== concept.version) {
    return {
      result: false,
      message: `The code ${coded} is from version ${candidate.version}; the value set ${label} has version ${concept.version}`,
    };
  }
  if (concept.inactive && !includesInactive(valueSet)) {
    return { result: false, message: `The code ${coded} is retired (inactive) and no longer in the value set ${label}` };
  }
  if (concept.abstract && !options.abstractAllowed) {
    return { result: false, message: `The code ${coded} is an abstract grouping concept and cannot be selected` };
  }
  const display = displayIn(concept, options.displayLanguage);
  const known = [concept.display, ...concept.designation.map((d) => d.value)].filter(Boolean);
  if (candidate.display && known.length > 0 && !known.includes(candidate.display)) {
    return {
      result: true,
      display,
      message: `The display "${candidate.display}" is not a display of ${coded}; it is "${concept.display}"`,
    };
  }
  return { result: true, display };
}
