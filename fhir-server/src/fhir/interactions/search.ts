import type { StoredVersion } from '../../storage/fhir-repository';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir-request';
import { pageLink } from '../paging';
import { applyView, isFullView, parseResourceView, type ResourceView } from '../resource-view';
import { parseSearchRequest } from '../search/parse';
import { resolveIncludes, parseIncludes } from './search-includes';
import { parseStored } from './stored-resource';

/**
 * http://hl7.org/fhir/R4/http.html#search: a searchset Bundle. The Bundle text is assembled
 * from the stored JSON of each match, so a page costs no parse/serialise round of its resources.
 */
export async function searchType(ctx: FhirContext, request: FhirRequest, resourceType: string): Promise<FhirResponse> {
  const params = request.query;
  const { query, ignored } = parseSearchRequest(resourceType, params, {
    strict: request.headers.preferHandling === 'strict',
  });
  const view = parseResourceView(params);
  const includes = parseIncludes(params);
  const page = await ctx.repo.search(query);
  const included = includes.length > 0 ? await resolveIncludes(ctx, page.entries, includes) : [];
  const used = new URLSearchParams(params);
  for (const name of ignored) {
    used.delete(name);
  }
  const links = [{ relation: 'self', url: pageLink(ctx.baseUrl, resourceType, used, {}) }];
  if (page.nextCursor) {
    links.push({ relation: 'next', url: pageLink(ctx.baseUrl, resourceType, used, { _cursor: page.nextCursor }) });
  }
  const head: Record<string, unknown> = { resourceType: 'Bundle', type: 'searchset' };
  if (page.total !== undefined) {
    head.total = page.total;
  }
  head.link = links;
  const entries =
    view.summary === 'count'
      ? []
      : [
          ...page.entries.map((e) => searchEntryText(ctx.baseUrl, e, view, 'match')),
          ...included.map((e) => searchEntryText(ctx.baseUrl, e, view, 'include')),
        ];
  const text = JSON.stringify(head).slice(0, -1) + `,"entry":[${entries.join(',')}]}`;
  return { status: 200, resourceText: text };
}

function searchEntryText(baseUrl: string, stored: StoredVersion, view: ResourceView, mode: 'match' | 'include'): string {
  const resourceText = isFullView(view) ? stored.content : JSON.stringify(applyView(parseStored(stored), view));
  const fullUrl = JSON.stringify(`${baseUrl}/${stored.resourceType}/${stored.id}`);
  return `{"fullUrl":${fullUrl},"resource":${resourceText},"search":{"mode":"${mode}"}}`;
}
