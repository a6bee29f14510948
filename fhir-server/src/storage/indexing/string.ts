import type { TypedValue } from '@medplum/core';
import type { StringRow } from './index-rows';
import { limitIndexedText, normalizeString } from './indexed-text';
import { soundex } from './soundex';

/** Parts of complex types that a string parameter on them searches (search.html#string). */
const STRING_PARTS: Record<string, readonly string[]> = {
  HumanName: ['text', 'family', 'given', 'prefix', 'suffix'],
  Address: ['text', 'line', 'city', 'district', 'state', 'postalCode', 'country'],
  CodeableConcept: ['text'],
  Coding: ['display'],
  ContactPoint: ['value'],
  Identifier: ['value'],
  Reference: ['display'],
  Annotation: ['text'],
  Attachment: ['title'],
};

/** String index rows: each part of a HumanName or Address separately, so starts-with applies per part. */
export function addStringRows(out: StringRow[], param: string, values: readonly TypedValue[], phonetic: boolean, grp?: number): void {
  for (const { type, value } of values) {
    if (typeof value === 'string') {
      addString(out, param, value, phonetic, grp);
    } else if (value && typeof value === 'object') {
      for (const part of STRING_PARTS[type] ?? []) {
        const partValue = (value as Record<string, unknown>)[part];
        if (typeof partValue === 'string') {
          addString(out, param, partValue, phonetic, grp);
        } else if (Array.isArray(partValue)) {
          for (const item of partValue) {
            if (typeof item === 'string') {
              addString(out, param, item, phonetic, grp);
            }
          }
        }
      }
    }
  }
}

function addString(out: StringRow[], param: string, raw: string, phonetic: boolean, grp: number | undefined): void {
  const normalized = normalizeString(raw);
  if (!normalized) {
    return;
  }
  if (phonetic) {
    for (const word of normalized.split(' ')) {
      const code = soundex(word);
      if (code) {
        push(out, { param, value: code, raw: limitIndexedText(raw), grp }, true);
      }
    }
    return;
  }
  push(out, { param, value: normalized, raw, grp });
}

/** Adds a row unless an equal one is there (for phonetic rows, equal codes count as equal). */
function push(out: StringRow[], row: StringRow, byValueOnly = false): void {
  for (const existing of out) {
    if (
      existing.param === row.param &&
      existing.value === row.value &&
      (byValueOnly || existing.raw === row.raw) &&
      existing.grp === row.grp
    ) {
      return;
    }
  }
  out.push(row);
}
