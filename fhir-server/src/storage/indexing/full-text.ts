import type { Resource } from '@medplum/fhirtypes';
import type { SearchParameterCatalog } from '../../definitions';
import { foldCaseAndAccents } from './indexed-text';
import type { TextRow } from './index-rows';

/**
 * `_content` (every text of the resource) and `_text` (its narrative) of search.html#content,
 * as PostgreSQL full-text documents. The words are made here rather than by a text search
 * configuration, so that writes and searches split them alike on both engines: case and
 * accents are folded as for string parameters, words are the runs of letters and digits, and
 * there is no stemming or stop list (clinical text is in many languages).
 */
const FULL_TEXT_PARAMETERS: readonly FullTextParameter[] = ['_content', '_text'];
/**
 * Types whose text is not indexed: the audit trail, written for every request and searched by
 * its structured parameters, and Binary, whose content is not JSON text.
 */
const WITHOUT_FULL_TEXT = new Set(['AuditEvent', 'Binary']);
const NONE: ReadonlySet<string> = new Set();
/** Per catalog and type: asked on every write, and the base definitions they come from do not change. */
const parametersByType = new WeakMap<SearchParameterCatalog, Map<string, ReadonlySet<string>>>();

/** Words longer than this (a hash, base64) are not searched for. */
const MAX_WORD_LENGTH = 64;
/** Distinct words indexed per document, at most: a long letter is found by its first 4,000. */
const MAX_WORDS = 4_000;
/** Elements that hold no words a reader would search for: ids, references, code systems, binary data (dates neither, see DATE_OR_TIME). */
const WORDLESS_ELEMENTS = new Set(['resourceType', 'id', 'meta', 'reference', 'system', 'url', 'data', 'fullUrl']);
const WORD = /[\p{L}\p{N}]+/gu;
/**
 * FHIR date, dateTime, instant and time values from year and month on: their digits are not
 * words (`01t10`, `00z`). A bare year stays, as four digits may as well be a postal code.
 */
const DATE_OR_TIME = /^(\d{4}-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)?|\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/;

/** Which of `_content` (all types) and `_text` (DomainResources) a type is searched by. */
export function fullTextParametersOf(catalog: SearchParameterCatalog, resourceType: string): ReadonlySet<string> {
  if (WITHOUT_FULL_TEXT.has(resourceType)) {
    return NONE;
  }
  let byType = parametersByType.get(catalog);
  if (!byType) {
    byType = new Map();
    parametersByType.set(catalog, byType);
  }
  let params = byType.get(resourceType);
  if (!params) {
    params = new Set(FULL_TEXT_PARAMETERS.filter((code) => catalog.get(resourceType, code)));
    byType.set(resourceType, params);
  }
  return params;
}

/** The words of a text, folded, as both documents and searches use them. */
export function wordsOf(text: string): string[] {
  return (foldCaseAndAccents(text).match(WORD) ?? []).filter((word) => word.length <= MAX_WORD_LENGTH);
}

export type FullTextParameter = '_content' | '_text';

/** The R4 resources that are not DomainResources, so have no narrative to search by `_text`. */
const WITHOUT_NARRATIVE = new Set(['Binary', 'Bundle', 'Parameters']);

/** Whether resources of the type have that document (the catalog declares the same: `_text` on DomainResources). */
export function hasFullText(resourceType: string, param: FullTextParameter): boolean {
  return !WITHOUT_FULL_TEXT.has(resourceType) && (param === '_content' || !WITHOUT_NARRATIVE.has(resourceType));
}

/**
 * The words of a resource's `_content` (every text) or `_text` (narrative) document, as they
 * are stored and searched (at most the first 4,000); empty when there is none.
 */
export function documentWords(resource: Resource, param: FullTextParameter): Set<string> {
  const words = new Set<string>();
  if (param === '_content') {
    collectWords(resource, words);
  } else {
    const div = (resource as { text?: { div?: unknown } }).text?.div;
    if (typeof div === 'string') {
      wordsOf(markupText(div)).forEach((word) => words.add(word));
    }
  }
  return words.size > MAX_WORDS ? new Set([...words].slice(0, MAX_WORDS)) : words;
}

/** Adds the `_content` and `_text` rows of a resource, for the parameters its type has. */
export function addFullTextRows(out: TextRow[], resource: Resource, params: ReadonlySet<string>): void {
  for (const param of FULL_TEXT_PARAMETERS) {
    if (params.has(param)) {
      const words = documentWords(resource, param);
      if (words.size > 0) {
        out.push({ param, doc: tsvectorLiteral(words) });
      }
    }
  }
}

/** A tsvector literal of the words (each quoted, so no word is read as an operator or weight). */
function tsvectorLiteral(words: Iterable<string>): string {
  return [...words].map(quoteLexeme).join(' ');
}

/** A tsquery literal matching documents that hold every word. */
export function allWordsQuery(words: readonly string[]): string {
  return words.map(quoteLexeme).join(' & ');
}

function collectWords(value: unknown, words: Set<string>, key?: string): void {
  if (typeof value === 'string') {
    if (DATE_OR_TIME.test(value)) {
      return;
    }
    for (const word of wordsOf(key === 'div' ? markupText(value) : value)) {
      words.add(word);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) {
      collectWords(item, words, key);
    }
  } else if (value && typeof value === 'object') {
    for (const [name, child] of Object.entries(value)) {
      if (!WORDLESS_ELEMENTS.has(name)) {
        collectWords(child, words, name);
      }
    }
  }
}

/** The text of XHTML narrative: tags dropped, the common entities read. */
function markupText(div: string): string {
  return div
    .replace(/<[^>]*>/g, ' ')
    .replace(
      /&(nbsp|amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi,
      (_entity, name: string) => ENTITIES[name.toLowerCase()] ?? numericEntity(name),
    );
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function numericEntity(name: string): string {
  const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
}

function quoteLexeme(word: string): string {
  // Words are letters and digits only, so they hold no quote or backslash to escape.
  return `'${word}'`;
}
