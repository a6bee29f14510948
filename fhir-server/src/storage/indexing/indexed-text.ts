/**
 * Text as it goes into (and is looked up in) the B-tree indexes. PostgreSQL refuses index
 * entries over about 2.7 kB, so indexed text is cut to MAX_INDEXED_BYTES; searches cut their
 * values the same way, so long values still match, at worst a little too widely.
 */
export const MAX_INDEXED_BYTES = 600;

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NON_ASCII = /[\u0080-\uffff]/;
const SPACES = /\s+/g;

export function limitIndexedText(text: string): string {
  if (text.length <= MAX_INDEXED_BYTES / 4) {
    return text;
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_INDEXED_BYTES) {
    return text;
  }
  // Drop a UTF-8 sequence cut in half (its bytes decode to U+FFFD at the end).
  return bytes
    .subarray(0, MAX_INDEXED_BYTES)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/**
 * String search normalisation (http://hl7.org/fhir/R4/search.html#string): case and accents
 * are ignored and runs of white space count as one space.
 */
export function normalizeString(text: string): string {
  let normalized = foldCaseAndAccents(text);
  if (SPACES.test(normalized)) {
    normalized = normalized.replace(SPACES, ' ').trim();
  }
  return limitIndexedText(normalized);
}

/** Lower case without accents (`Müller` -> `muller`). */
export function foldCaseAndAccents(text: string): string {
  const lower = text.toLowerCase();
  return NON_ASCII.test(lower) ? lower.normalize('NFD').replace(COMBINING_MARKS, '') : lower;
}
