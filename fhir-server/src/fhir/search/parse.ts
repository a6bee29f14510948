// PLACEHOLDER written by the lead so the server compiles; the search helper replaces this file.
import type { SearchQuery } from '../../storage/search-query';

export function parseSearchRequest(
  resourceType: string,
  params: URLSearchParams,
  _options: { strict?: boolean } = {},
): { query: SearchQuery; ignored: string[] } {
  const ids = params.get('_id');
  return {
    query: {
      resourceTypes: [resourceType],
      filters: ids ? [{ code: '_id', type: 'token', values: ids.split(',').map((value) => ({ value })) }] : [],
      sort: [],
      count: Number(params.get('_count') ?? 20),
      cursor: params.get('_cursor') ?? undefined,
      total: 'none',
    },
    ignored: [],
  };
}
