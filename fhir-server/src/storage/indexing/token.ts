import type { TypedValue } from '@medplum/core';
import type { CodeableConcept, Coding, ContactPoint, Identifier } from '@medplum/fhirtypes';
import type { TokenRow } from './index-rows';
import { limitIndexedText, normalizeString } from './indexed-text';

/**
 * Token index rows (http://hl7.org/fhir/R4/search.html#token): system and code of Codings,
 * Identifiers (system|value), ContactPoints (system|value), booleans and plain codes/strings.
 * `display` holds the normalised display or CodeableConcept.text, for `:text`. Typed
 * identifiers also get rows for `:of-type`.
 */
export function addTokenRows(out: TokenRow[], param: string, values: readonly TypedValue[], grp?: number): void {
  for (const { type, value } of values) {
    if (typeof value === 'string') {
      push(out, param, null, value, null, grp);
    } else if (typeof value === 'boolean') {
      push(out, param, null, String(value), null, grp);
    } else if (value && typeof value === 'object') {
      addComplex(out, param, type, value as Record<string, unknown>, grp);
    }
  }
}

function addComplex(out: TokenRow[], param: string, type: string, value: Record<string, unknown>, grp: number | undefined): void {
  switch (type) {
    case 'CodeableConcept': {
      const concept = value as CodeableConcept;
      for (const coding of concept.coding ?? []) {
        addCoding(out, param, coding, grp);
      }
      if (concept.text) {
        push(out, param, null, null, concept.text, grp);
      }
      return;
    }
    case 'Coding':
      addCoding(out, param, value as Coding, grp);
      return;
    case 'Identifier': {
      const identifier = value as Identifier;
      if (identifier.value) {
        push(out, param, identifier.system ?? null, identifier.value, identifier.type?.text ?? null, grp);
        if (grp === undefined) {
          addIdentifierTypes(out, param, identifier);
        }
      }
      return;
    }
    case 'ContactPoint': {
      const contact = value as ContactPoint;
      if (contact.value) {
        push(out, param, contact.system ?? null, contact.value, null, grp);
      }
      return;
    }
    default:
      return;
  }
}

/**
 * For `:of-type` (`identifier:of-type=system|code|value`): one row per coded type of the
 * identifier, under `<param>:of-type`, with the type's system and `code|value` as its code.
 */
function addIdentifierTypes(out: TokenRow[], param: string, identifier: Identifier): void {
  for (const coding of identifier.type?.coding ?? []) {
    if (coding.code) {
      push(out, ofTypeParam(param), coding.system ?? null, ofTypeCode(coding.code, identifier.value as string), null, undefined);
    }
  }
}

/** The token parameter under which an identifier parameter's typed identifiers are indexed. */
export function ofTypeParam(param: string): string {
  return `${param}:of-type`;
}

/** The code of an `:of-type` row: the type's code and the identifier's value. */
export function ofTypeCode(typeCode: string, value: string): string {
  return `${typeCode}|${value}`;
}

function addCoding(out: TokenRow[], param: string, coding: Coding, grp: number | undefined): void {
  if (coding.code || coding.display) {
    push(out, param, coding.system ?? null, coding.code ?? null, coding.display ?? null, grp);
  }
}

function push(
  out: TokenRow[],
  param: string,
  system: string | null,
  code: string | null,
  display: string | null,
  grp: number | undefined,
): void {
  const row: TokenRow = {
    param,
    system: system === null ? null : limitIndexedText(system),
    code: code === null ? null : limitIndexedText(code),
    display: display === null ? null : normalizeString(display) || null,
    grp,
  };
  for (const existing of out) {
    if (
      existing.param === param &&
      existing.system === row.system &&
      existing.code === row.code &&
      existing.display === row.display &&
      existing.grp === grp
    ) {
      return;
    }
  }
  out.push(row);
}
