import { badRequest } from './outcomes';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

/** `_count` (http://hl7.org/fhir/R4/search.html#count): 0..MAX_PAGE_SIZE, default 20. */
export function parseCount(query: URLSearchParams): number {
  const raw = query.get('_count');
  if (raw === null) {
    return DEFAULT_PAGE_SIZE;
  }
  if (!/^\d{1,7}$/.test(raw)) {
    throw badRequest(`_count must be a non-negative integer, got "${raw}"`);
  }
  const count = Number(raw);
  if (count > MAX_PAGE_SIZE) {
    throw badRequest(`_count must not exceed ${MAX_PAGE_SIZE}`);
  }
  return count;
}

/** A link URL for the same request with some parameters replaced. */
export function pageLink(baseUrl: string, path: string, query: URLSearchParams, replace: Record<string, string | undefined>): string {
  const params = new URLSearchParams(query);
  for (const [name, value] of Object.entries(replace)) {
    if (value === undefined) {
      params.delete(name);
    } else {
      params.set(name, value);
    }
  }
  const search = params.toString();
  return `${baseUrl}${path ? '/' + path : ''}${search ? '?' + search : ''}`;
}
