import { getSearchParameter, matchesSearchRequest, parseSearchRequest, type SearchRequest } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';

/** Parameters about a result page rather than one resource: meaningless in criteria. */
const RESULT_PARAMETERS = new Set(['_count', '_sort', '_include', '_revinclude', '_summary', '_elements', '_total', '_contained', '_has']);
const MATCHABLE_SPECIAL = new Set(['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']);
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const MAX_CRITERIA_LENGTH = 2000;

export type ParsedCriteria =
  { readonly ok: true; readonly resourceType: string; readonly request: SearchRequest } | { readonly ok: false; readonly problem: string };

/**
 * R4 Subscription.criteria: `Type?param=value&...`, evaluated against each written version in
 * memory. Chains, `_has` and result parameters cannot be evaluated that way and are refused.
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
    if (!MATCHABLE_SPECIAL.has(code) && !getSearchParameter(type, code)) {
      return { ok: false, problem: `criteria parameter "${name}" is not a search parameter of ${type}` };
    }
  }
  try {
    return { ok: true, resourceType: type, request: parseSearchRequest(criteria) };
  } catch (error) {
    return { ok: false, problem: `criteria cannot be parsed: ${(error as Error).message}` };
  }
}

/** Whether a version matches; criteria that cannot be evaluated match nothing. */
export function matchesCriteria(resource: Resource, request: SearchRequest): boolean {
  try {
    return matchesSearchRequest(resource, request);
  } catch {
    return false;
  }
}
