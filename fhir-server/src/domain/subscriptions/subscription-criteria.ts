import {
  getSearchParameter,
  matchesSearchRequest,
  Operator,
  parseSearchRequest,
  splitSearchOnComma,
  type Filter,
  type SearchRequest,
} from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { boundCodeSystems } from '../../definitions';
import { documentWords, hasFullText, wordsOf, type FullTextParameter } from '../../storage/indexing/full-text';

/** Parameters about a result page rather than one resource: meaningless in criteria. */
const RESULT_PARAMETERS = new Set(['_count', '_sort', '_include', '_revinclude', '_summary', '_elements', '_total', '_contained', '_has']);
const MATCHABLE_SPECIAL = new Set(['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']);
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const MAX_CRITERIA_LENGTH = 2000;

const FULL_TEXT = new Set<string>(['_content', '_text']);

/** `_content` or `_text` in criteria: any alternative (comma-separated) whose every word the document holds. */
interface FullTextCriterion {
  readonly param: FullTextParameter;
  readonly alternatives: readonly (readonly string[])[];
}

export type ParsedCriteria =
  | { readonly ok: true; readonly resourceType: string; readonly request: SearchRequest; readonly fullText: readonly FullTextCriterion[] }
  | { readonly ok: false; readonly problem: string };

/**
 * R4 Subscription.criteria: `Type?param=value&...`, evaluated against each written version in
 * memory: `_content` and `_text` by the words the search indexes (storage/indexing/full-text.ts),
 * the rest by @medplum/core. Chains, `_has` and result parameters cannot be evaluated that way
 * and are refused.
 */
export function parseCriteria(criteria: string | undefined, knownTypes: ReadonlySet<string> | readonly string[]): ParsedCriteria {
  if (!criteria || criteria.length > MAX_CRITERIA_LENGTH) {
    return {
      ok: false,
      problem: `criteria must be a search URL such as Appointment?status=booked (at most ${MAX_CRITERIA_LENGTH} characters)`,
    };
  }
  const [type, query = ''] = criteria.split('?', 2);
  const known = knownTypes instanceof Set ? knownTypes : new Set(knownTypes);
  if (!RESOURCE_TYPE.test(type) || !known.has(type)) {
    return { ok: false, problem: `criteria must start with a resource type, not "${type.slice(0, 64)}"` };
  }
  for (const [name] of new URLSearchParams(query)) {
    const code = name.split(':')[0];
    if (code.includes('.') || RESULT_PARAMETERS.has(code)) {
      return { ok: false, problem: `criteria parameter "${name}" is not supported (no chains, _has or result parameters)` };
    }
    if (FULL_TEXT.has(code)) {
      if (name !== code || !hasFullText(type, code as FullTextParameter)) {
        return { ok: false, problem: `criteria parameter "${name}" is not supported${name === code ? ` on ${type}` : ' (no modifiers)'}` };
      }
    } else if (!MATCHABLE_SPECIAL.has(code) && !getSearchParameter(type, code)) {
      return { ok: false, problem: `criteria parameter "${name}" is not a search parameter of ${type}` };
    }
  }
  let request: SearchRequest;
  try {
    request = parseSearchRequest(criteria);
  } catch (error) {
    return { ok: false, problem: `criteria cannot be parsed: ${(error as Error).message}` };
  }
  const fullText: FullTextCriterion[] = [];
  for (const filter of request.filters ?? []) {
    if (FULL_TEXT.has(filter.code)) {
      const alternatives = splitSearchOnComma(filter.value).map(wordsOf);
      if (alternatives.some((words) => words.length === 0)) {
        return { ok: false, problem: `criteria parameter "${filter.code}" needs a word (letters or digits) in each value` };
      }
      fullText.push({ param: filter.code as FullTextParameter, alternatives });
    }
  }
  const filters = request.filters?.filter((filter) => !FULL_TEXT.has(filter.code)).map((filter) => withoutImpliedSystems(type, filter));
  return { ok: true, resourceType: type, request: { ...request, filters }, fullText };
}

const TOKEN_OPERATORS = new Set<string>([Operator.EQUALS, Operator.NOT, Operator.NOT_EQUALS]);

/**
 * `system|code` on a plain code element (Patient.gender) as its bare code, when the system is
 * the one its binding implies: the element carries no system, so only the code can match, as
 * the search does (fhir/search/parse-filter.ts).
 */
function withoutImpliedSystems(type: string, filter: Filter): Filter {
  const systems = TOKEN_OPERATORS.has(filter.operator)
    ? boundCodeSystems(type, getSearchParameter(type, filter.code)?.expression)
    : undefined;
  if (!systems) {
    return filter;
  }
  const values = splitSearchOnComma(filter.value).map((value) => {
    const bar = value.indexOf('|');
    return bar > 0 && systems.has(value.slice(0, bar)) ? value.slice(bar + 1) : value;
  });
  return { ...filter, value: values.map((value) => value.replace(/[\\,$]/g, (c) => `\\${c}`)).join(',') };
}

/** Whether a version matches; criteria that cannot be evaluated match nothing. */
export function matchesCriteria(resource: Resource, criteria: Extract<ParsedCriteria, { ok: true }>): boolean {
  try {
    return matchesSearchRequest(resource, criteria.request) && criteria.fullText.every((criterion) => matchesFullText(resource, criterion));
  } catch {
    return false;
  }
}

function matchesFullText(resource: Resource, { param, alternatives }: FullTextCriterion): boolean {
  const words = documentWords(resource, param);
  return alternatives.some((alternative) => alternative.every((word) => words.has(word)));
}
