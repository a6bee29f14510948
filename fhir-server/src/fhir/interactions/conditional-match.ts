import type { StoredVersion } from '../../storage/fhir-repository';
import type { FhirContext } from '../fhir-request';
import { badRequest, multipleMatches } from '../outcomes';
import { parseSearchRequest } from '../search/parse';
import { expandValueSetModifiers } from '../search/value-set-modifiers';

/**
 * The resources matching conditional criteria (http://hl7.org/fhir/R4/http.html#ccreate),
 * at most two (enough to tell 0 / 1 / many). Criteria are parsed strictly: an unknown
 * parameter would silently widen the match, so it is a 400 here.
 */
export async function findConditionalMatches(ctx: FhirContext, resourceType: string, criteria: string): Promise<StoredVersion[]> {
  const params = new URLSearchParams(criteria.replace(/^\?/, ''));
  if ([...params.keys()].length === 0) {
    throw badRequest('Conditional criteria must not be empty');
  }
  await ctx.repo.syncSearchParameters();
  const expanded = await expandValueSetModifiers(ctx, params, [resourceType]);
  const { query } = parseSearchRequest(resourceType, expanded, { strict: true, catalog: ctx.repo.searchParameters, baseUrl: ctx.baseUrl });
  const page = await ctx.repo.search({ ...query, count: 2, cursor: undefined, sort: [], total: 'none' });
  return [...page.entries];
}

/**
 * The one resource conditional criteria match, or undefined; several are a 412. Run inside
 * the caller's transaction: it first takes the criteria's lock, so concurrent conditional
 * writes on the same criteria see each other's result.
 */
export async function lockConditionalMatch(ctx: FhirContext, resourceType: string, criteria: string): Promise<StoredVersion | undefined> {
  await ctx.repo.lock(criteriaLockKey(resourceType, criteria));
  const matches = await findConditionalMatches(ctx, resourceType, criteria);
  if (matches.length > 1) {
    throw multipleMatches(`Criteria "${criteria}" match more than one ${resourceType}`);
  }
  return matches[0];
}

/**
 * Lock key under which a conditional write on these criteria is serialised, so that
 * concurrent identical conditional creates see each other's result.
 */
export function criteriaLockKey(resourceType: string, criteria: string): string {
  const params = [...new URLSearchParams(criteria.replace(/^\?/, '')).entries()].sort(([a, x], [b, y]) =>
    a === b ? x.localeCompare(y) : a.localeCompare(b),
  );
  return `criteria:${resourceType}?${new URLSearchParams(params).toString()}`;
}
