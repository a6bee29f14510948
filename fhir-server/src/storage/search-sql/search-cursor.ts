import { InvalidSearchError } from '../storage-errors';
import type { KeyColumn } from './sort';

/**
 * An opaque keyset cursor of a search page: which way to page (`n`ext: rows after the key,
 * `p`rev: rows before it), the sort it belongs to, and the key values of the boundary row
 * (as text, null for a missing value). Base64url JSON.
 */
export interface SearchCursor {
  readonly direction: 'n' | 'p';
  readonly keys: readonly (string | null)[];
}

const PATTERNS: Record<KeyColumn['cast'], RegExp> = {
  text: /^[\s\S]{0,2048}$/,
  numeric: /^-?\d{1,400}(\.\d{1,400})?$/,
  timestamptz: /^(-?infinity|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)?)$/,
};

export function encodeSearchCursor(direction: 'n' | 'p', signature: string, keys: readonly (string | null)[]): string {
  return Buffer.from(JSON.stringify({ d: direction, s: signature, k: keys })).toString('base64url');
}

/** The cursor, checked against the keys of this search (a cursor of another search is a 400). */
export function decodeSearchCursor(cursor: string, signature: string, keys: readonly KeyColumn[]): SearchCursor {
  let decoded: { d?: unknown; s?: unknown; k?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const values = decoded?.k;
  if (
    (decoded?.d !== 'n' && decoded?.d !== 'p') ||
    decoded.s !== signature ||
    !Array.isArray(values) ||
    values.length !== keys.length ||
    !values.every((value, i) => (value === null ? keys[i].nullable : typeof value === 'string' && PATTERNS[keys[i].cast].test(value)))
  ) {
    throw invalid();
  }
  return { direction: decoded.d, keys: values as (string | null)[] };
}

function invalid(): InvalidSearchError {
  return new InvalidSearchError('The paging cursor is not valid for this search; start the search again');
}
