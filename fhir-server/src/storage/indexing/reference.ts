import type { TypedValue } from '@medplum/core';
import type { Reference } from '@medplum/fhirtypes';
import type { ReferenceRow, TokenRow } from './index-rows';
import { limitIndexedText } from './indexed-text';

const LOCAL = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/**
 * Reference index rows (search.html#reference). Relative references (`Patient/123`, also with
 * `/_history/n`) and absolute ones to this server's base URL are local: target type and id.
 * Other absolute URLs and canonicals are kept as `url` only (a canonical without `|version`).
 * Contained (`#x`) references have no row. A Reference.identifier is indexed as a token under
 * `<param>:identifier`, for the `:identifier` modifier.
 */
export function addReferenceRows(
  out: ReferenceRow[],
  identifiers: TokenRow[],
  param: string,
  values: readonly TypedValue[],
  baseUrl: string | undefined,
  grp?: number,
): void {
  for (const { type, value } of values) {
    let reference: string | undefined;
    if (typeof value === 'string') {
      reference = type === 'canonical' ? value.split('|')[0] : value;
    } else if (value && typeof value === 'object') {
      reference = (value as Reference).reference;
      const identifier = (value as Reference).identifier;
      if (identifier?.value && grp === undefined) {
        identifiers.push({
          param: identifierParam(param),
          system: identifier.system ? limitIndexedText(identifier.system) : null,
          code: limitIndexedText(identifier.value),
          display: null,
        });
      }
    }
    if (reference && !reference.startsWith('#')) {
      push(out, toRow(param, reference, baseUrl, grp));
    }
  }
}

/** The token parameter under which a reference parameter's identifiers are indexed. */
export function identifierParam(param: string): string {
  return `${param}:identifier`;
}

/** A reference as the index stores it; also how search values are resolved. */
export function toRow(param: string, reference: string, baseUrl: string | undefined, grp?: number): ReferenceRow {
  const relative = baseUrl && reference.startsWith(baseUrl + '/') ? reference.slice(baseUrl.length + 1) : reference;
  const local = LOCAL.exec(relative);
  if (local) {
    return { param, target_type: local[1], target_id: local[2], url: `${local[1]}/${local[2]}`, grp };
  }
  return { param, target_type: null, target_id: null, url: limitIndexedText(reference), grp };
}

function push(out: ReferenceRow[], row: ReferenceRow): void {
  for (const e of out) {
    if (e.param === row.param && e.url === row.url && e.grp === row.grp) {
      return;
    }
  }
  out.push(row);
}
