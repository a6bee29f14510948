import type { SearchParameterCatalog } from '../../definitions';
import type { SearchFilter, SearchQuery, SortRule } from '../../storage/search-query';
import { badRequest, notSupported, tooCostly } from '../outcomes';
import { parseCount } from '../paging';
import { parseFilter } from './parse-filter';
import { catalogOrDefault, supportedParameter } from './registry';

export interface ParseOptions {
  /** `Prefer: handling=strict`: an unknown parameter is a 400 instead of being ignored. */
  readonly strict?: boolean;
  readonly catalog?: SearchParameterCatalog;
  /** This server's FHIR base URL: absolute references to it are searched as local ones. */
  readonly baseUrl?: string;
  /** A system-level search, whose `_type` lists the types searched; anywhere else `_type` is unknown. */
  readonly systemLevel?: boolean;
}

export interface ParsedSearch {
  readonly query: SearchQuery;
  /** Names of the parameters that were ignored (unknown), to leave out of the self link. */
  readonly ignored: string[];
}

/**
 * Parameters that control the result rather than filter it (search.html#return); `_include`
 * and `_revinclude` are parsed by search-includes.ts, `_summary`/`_elements` by resource-view.ts.
 */
const RESULT_PARAMETERS = new Set([
  '_sort',
  '_count',
  '_total',
  '_summary',
  '_elements',
  '_cursor',
  '_pretty',
  '_format',
  '_contained',
  '_containedType',
]);
const MAX_FILTERS = 40;
const MAX_SORT_KEYS = 5;

/**
 * A search query string (http://hl7.org/fhir/R4/search.html) as a SearchQuery on one type, or
 * several for a system-level search: parameters with the same name are ANDed, the
 * comma-separated values of one are ORed. Unknown parameters are ignored and reported, or
 * refused in strict mode; malformed values and unsupported modifiers are always a 400.
 */
export function parseSearchRequest(
  resourceTypes: string | readonly string[],
  params: URLSearchParams,
  options: ParseOptions = {},
): ParsedSearch {
  const types = typeof resourceTypes === 'string' ? [resourceTypes] : resourceTypes;
  const ctx = { catalog: catalogOrDefault(options.catalog), baseUrl: options.baseUrl };
  const filters: SearchFilter[] = [];
  const ignored: string[] = [];
  for (const [name, value] of params) {
    if (RESULT_PARAMETERS.has(name) || /^_(rev)?include(:iterate|:recurse)?$/.test(name) || (name === '_type' && options.systemLevel)) {
      continue;
    }
    const filter = parseFilter(ctx, types, name, value);
    if (filter) {
      filters.push(filter);
    } else if (options.strict) {
      throw badRequest(`Unknown or unsupported search parameter "${name}" for ${types.join(', ')}`);
    } else {
      ignored.push(name);
    }
  }
  if (filters.length > MAX_FILTERS) {
    throw tooCostly(`A search may have at most ${MAX_FILTERS} parameters`);
  }
  const contained = params.get('_contained');
  if (contained !== null && contained !== 'false') {
    // Only resources themselves are indexed, never the ones they contain: false is what every search does.
    throw notSupported(`_contained=${contained}: contained resources are not searched; only _contained=false (the default) is supported`);
  }
  const summaryCount = params.get('_summary') === 'count';
  return {
    query: {
      resourceTypes: types,
      filters,
      sort: parseSort(ctx.catalog, types, params.get('_sort')),
      count: summaryCount ? 0 : parseCount(params),
      cursor: params.get('_cursor') ?? undefined,
      total: summaryCount ? 'accurate' : parseTotal(params.get('_total')),
    },
    ignored: [...new Set(ignored)],
  };
}

function parseTotal(value: string | null): SearchQuery['total'] {
  if (value === null) {
    return 'none';
  }
  if (value !== 'none' && value !== 'estimate' && value !== 'accurate') {
    throw badRequest(`_total must be none, estimate or accurate; got "${value}"`);
  }
  return value;
}

/** `_sort=a,-b,patient.family` (search.html#sort): keys in order, `-` for descending. */
function parseSort(catalog: SearchParameterCatalog, types: readonly string[], value: string | null): SortRule[] {
  if (value === null || value === '') {
    return [];
  }
  const keys = value.split(',').map((key) => key.trim());
  if (keys.length > MAX_SORT_KEYS) {
    throw tooCostly(`_sort may have at most ${MAX_SORT_KEYS} keys`);
  }
  return keys.map((key) => {
    const descending = key.startsWith('-');
    const name = descending ? key.slice(1) : key;
    const [first, second, ...rest] = name.split('.');
    if (rest.length > 0) {
      throw badRequest(`_sort=${key}: sorting follows at most one reference`);
    }
    if (second === undefined) {
      const type = sortableType(catalog, types, first, key);
      const parameter = types.length === 1 ? supportedParameter(catalog, types[0], first) : undefined;
      return {
        code: first,
        type,
        descending,
        ...(parameter?.singleInstant ? { singleInstant: true } : {}),
        ...(parameter?.singleValue ? { singleValue: true } : {}),
      };
    }
    const reference = types.length === 1 ? supportedParameter(catalog, types[0], first) : undefined;
    if (reference?.type !== 'reference') {
      throw badRequest(`_sort=${key}: ${first} is not a reference parameter of ${types.join(', ')}`);
    }
    const targetTypes = reference.targets.filter((target) => supportedParameter(catalog, target, second));
    if (targetTypes.length === 0) {
      throw badRequest(`_sort=${key}: no type ${first} refers to has a parameter ${second}`);
    }
    return { code: second, type: sortableType(catalog, targetTypes, second, key), descending, chain: { code: first, targetTypes } };
  });
}

function sortableType(catalog: SearchParameterCatalog, types: readonly string[], code: string, key: string): SortRule['type'] {
  let type: SortRule['type'] | undefined;
  for (const resourceType of types) {
    const param = supportedParameter(catalog, resourceType, code);
    if (!param || param.type === 'composite' || param.type === 'text' || (type && type !== param.type)) {
      throw badRequest(`_sort=${key}: ${code} is not a sortable search parameter of ${types.join(', ')}`);
    }
    type = param.type;
  }
  return type as SortRule['type'];
}
