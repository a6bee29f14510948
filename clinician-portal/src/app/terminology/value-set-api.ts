import { inject, Injectable } from '@angular/core';
import type { ValueSet, ValueSetExpansionContains } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../core/fhir/fhir-client';

export const SPECIALTY_VALUE_SET = 'https://medbuddy.dev/fhir/ValueSet/specialty';
export const LANGUAGE_VALUE_SET = 'https://medbuddy.dev/fhir/ValueSet/languages';
export const MEDICATION_VALUE_SET = 'https://medbuddy.dev/fhir/ValueSet/medication';

/** A code a person can pick. */
export interface Choice {
  readonly system?: string;
  readonly code: string;
  readonly display: string;
}

/**
 * Code lists from the server's terminology (`ValueSet/$expand`, valueset-operation-expand.html):
 * pickers offer exactly what the server validates against. Whole lists are read once per app
 * start; a search with a filter always asks the server.
 */
@Injectable({ providedIn: 'root' })
export class ValueSetApi {
  private readonly fhir = inject(FhirClient);
  private readonly cache = new Map<string, Promise<Choice[]>>();

  /** The selectable codes of a value set (abstract grouping codes left out), in the server's order. */
  expand(url: string): Promise<Choice[]> {
    let found = this.cache.get(url);
    if (!found) {
      found = this.search(url, undefined, 1000);
      found.catch(() => this.cache.delete(url));
      this.cache.set(url, found);
    }
    return found;
  }

  /** The codes whose display matches `filter` (the server's `filter` parameter), at most `count`. */
  search(url: string, filter: string | undefined, count = 20): Promise<Choice[]> {
    const params = { url, count, filter: filter?.trim() || undefined };
    return firstValueFrom(this.fhir.operation<ValueSet>('ValueSet/$expand', { method: 'GET', params })).then((valueSet) =>
      flatten(valueSet.expansion?.contains ?? []),
    );
  }
}

function flatten(contains: readonly ValueSetExpansionContains[]): Choice[] {
  return contains.flatMap((entry) => [
    ...(entry.code && !entry.abstract ? [{ system: entry.system, code: entry.code, display: entry.display ?? entry.code }] : []),
    ...flatten(entry.contains ?? []),
  ]);
}
