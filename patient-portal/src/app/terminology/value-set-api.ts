import { inject, Injectable } from '@angular/core';
import type { ValueSet, ValueSetExpansionContains } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../core/fhir/fhir-client';

export const SPECIALTY_VALUE_SET = 'https://medbuddy.dev/fhir/ValueSet/specialty';
export const LANGUAGE_VALUE_SET = 'https://medbuddy.dev/fhir/ValueSet/languages';
export const APPOINTMENT_REASON_VALUE_SET = 'https://medbuddy.dev/fhir/ValueSet/appointment-reason';

/** A code a person can pick. */
export interface Choice {
  readonly system?: string;
  readonly code: string;
  readonly display: string;
}

/**
 * Code lists from the server's terminology (`ValueSet/$expand`, valueset-operation-expand.html),
 * read once per app start: pickers offer exactly what the server validates against.
 */
@Injectable({ providedIn: 'root' })
export class ValueSetApi {
  private readonly fhir = inject(FhirClient);
  private readonly cache = new Map<string, Promise<Choice[]>>();

  /** The selectable codes of a value set (abstract grouping codes left out), in the server's order. */
  expand(url: string): Promise<Choice[]> {
    let found = this.cache.get(url);
    if (!found) {
      found = firstValueFrom(this.fhir.operation<ValueSet>('ValueSet/$expand', { method: 'GET', params: { url, count: 1000 } })).then(
        (valueSet) => flatten(valueSet.expansion?.contains ?? []),
      );
      found.catch(() => this.cache.delete(url));
      this.cache.set(url, found);
    }
    return found;
  }
}

function flatten(contains: readonly ValueSetExpansionContains[]): Choice[] {
  return contains.flatMap((entry) => [
    ...(entry.code && !entry.abstract ? [{ system: entry.system, code: entry.code, display: entry.display ?? entry.code }] : []),
    ...flatten(entry.contains ?? []),
  ]);
}
