import type { ValueSet, ValueSetExpansionContains } from '@medplum/fhirtypes';

export const SPECIALTY_VALUE_SET = 'https://medbuddy.dev/fhir/ValueSet/specialty';
export const LANGUAGE_VALUE_SET = 'https://medbuddy.dev/fhir/ValueSet/languages';

/** A code a person can pick. */
export interface Choice {
  readonly code: string;
  readonly display: string;
}

/** The selectable codes of an expansion (abstract grouping codes left out), in the server's order. */
export function choicesOf(valueSet: ValueSet): Choice[] {
  return flatten(valueSet.expansion?.contains ?? []);
}

function flatten(contains: readonly ValueSetExpansionContains[]): Choice[] {
  return contains.flatMap((entry) => [
    ...(entry.code && !entry.abstract ? [{ code: entry.code, display: entry.display ?? entry.code }] : []),
    ...flatten(entry.contains ?? []),
  ]);
}
