import type { SearchParameter } from '@medplum/fhirtypes';
import {
  boundCodeSystems,
  boundCodes,
  createSearchParameterCatalog,
  elementIndex,
  parameterPaths,
  type SearchParameterCatalog,
} from '../../definitions';
import { fullTextParametersOf } from '../../storage/indexing/full-text';
import { indexedParametersOf } from '../../storage/indexing/indexed-parameters';
import type { SearchParamType } from '../../storage/search-query';

/** A search parameter this server can search by, with what the parser needs to know of it. */
export interface SupportedParameter {
  readonly code: string;
  readonly type: SearchParamType;
  readonly definition: SearchParameter;
  /** Reference parameters: the resource types they may point to (empty: any). */
  readonly targets: readonly string[];
  /** Composite parameters: the types of their components. */
  readonly components?: readonly SearchParamType[];
  readonly phonetic: boolean;
  /** At most one instant per resource (e.g. `AuditEvent.recorded`): its one index row is its sort key. */
  readonly singleInstant: boolean;
  /** At most one index row per resource (a date, dateTime, instant or Period element, at most once). */
  readonly singleValue: boolean;
  /**
   * Token parameters on plain `code` elements (Patient.gender): the code systems of their
   * required binding, which the codes imply but the index rows do not carry.
   */
  readonly impliedSystems?: ReadonlySet<string>;
  /** Token parameters on plain `code` elements: every code a resource can hold there. */
  readonly boundCodes?: ReadonlySet<string>;
  /** Token parameters on Identifier elements (Patient.identifier), which `:of-type` applies to. */
  readonly identifiers?: boolean;
}

/** `_id` and `_lastUpdated` are answered from the resource row, all others from index rows. */
const COLUMN_PARAMETERS = ['_id', '_lastUpdated'];

const cache = new WeakMap<SearchParameterCatalog, { version: number; byType: Map<string, ReadonlyMap<string, SupportedParameter>> }>();
let defaultCatalog: SearchParameterCatalog | undefined;

/** The catalog of a context, or (for contexts built without one) a process-wide default. */
export function catalogOrDefault(catalog: SearchParameterCatalog | undefined): SearchParameterCatalog {
  if (catalog) {
    return catalog;
  }
  defaultCatalog ??= createSearchParameterCatalog();
  return defaultCatalog;
}

/**
 * The search parameters of a resource type that work here: exactly those the indexer
 * extracts (plus `_id` and `_lastUpdated`), so the CapabilityStatement declares nothing that
 * would be silently ignored. Of the parameters without a FHIRPath expression, `_content` and
 * `_text` are indexed as full text (storage/indexing/full-text.ts); `_query` and `near` are left out.
 */
export function supportedParametersOf(catalog: SearchParameterCatalog, resourceType: string): ReadonlyMap<string, SupportedParameter> {
  let entry = cache.get(catalog);
  if (!entry || entry.version !== catalog.version) {
    entry = { version: catalog.version, byType: new Map() };
    cache.set(catalog, entry);
  }
  let params = entry.byType.get(resourceType);
  if (!params) {
    params = build(catalog, resourceType);
    entry.byType.set(resourceType, params);
  }
  return params;
}

export function supportedParameter(catalog: SearchParameterCatalog, resourceType: string, code: string): SupportedParameter | undefined {
  return supportedParametersOf(catalog, resourceType).get(code);
}

/** The definitions, for the CapabilityStatement. */
export function supportedSearchParameters(resourceType: string, catalog?: SearchParameterCatalog): SearchParameter[] {
  return [...supportedParametersOf(catalogOrDefault(catalog), resourceType).values()]
    .map((p) => p.definition)
    .sort((a, b) => (a.code as string).localeCompare(b.code as string));
}

/** The reference parameters of a type that `_include` and `_revinclude` follow: supported ones with an expression. */
export function includableParameters(resourceType: string, catalog?: SearchParameterCatalog): SearchParameter[] {
  return supportedSearchParameters(resourceType, catalog).filter((param) => param.type === 'reference' && !!param.expression);
}

function build(catalog: SearchParameterCatalog, resourceType: string): Map<string, SupportedParameter> {
  const params = new Map<string, SupportedParameter>();
  for (const code of COLUMN_PARAMETERS) {
    const definition = catalog.get(resourceType, code);
    if (definition) {
      params.set(code, describe(resourceType, definition, definition.type as SearchParamType, undefined, false));
    }
  }
  for (const code of fullTextParametersOf(catalog, resourceType)) {
    params.set(code, describe(resourceType, catalog.get(resourceType, code) as SearchParameter, 'text', undefined, false));
  }
  for (const indexed of indexedParametersOf(catalog, resourceType)) {
    const definition = catalog.get(resourceType, indexed.code) as SearchParameter;
    params.set(
      indexed.code,
      describe(
        resourceType,
        definition,
        indexed.type,
        indexed.components?.map((c) => c.type),
        indexed.phonetic,
      ),
    );
  }
  return params;
}

function describe(
  resourceType: string,
  definition: SearchParameter,
  type: SearchParamType,
  components: SearchParamType[] | undefined,
  phonetic: boolean,
): SupportedParameter {
  return {
    code: definition.code as string,
    type,
    definition,
    targets: (definition.target ?? []) as string[],
    components,
    phonetic,
    singleInstant: type === 'date' && isSingleInstant(resourceType, definition.expression),
    singleValue: type === 'date' && isSingleDate(resourceType, definition.expression),
    ...(type === 'token'
      ? {
          impliedSystems: boundCodeSystems(resourceType, definition.expression),
          boundCodes: boundCodes(resourceType, definition.expression),
          identifiers: hasIdentifierElements(resourceType, definition.expression),
        }
      : {}),
  };
}

function hasIdentifierElements(resourceType: string, expression: string | undefined): boolean {
  return parameterPaths(resourceType, expression).some((path) => elementIndex.element(path)?.types.includes('Identifier'));
}

/** The expression's path for this type is one top-level element of type instant, at most once. */
function isSingleInstant(resourceType: string, expression: string | undefined): boolean {
  const element = singleElement(resourceType, expression);
  return element?.types.length === 1 && element.types[0] === 'instant';
}

/** Date types of which one value makes one `sp_date` row (storage/indexing/date.ts); a Timing can make several. */
const ONE_ROW_DATE_TYPES = new Set(['date', 'dateTime', 'instant', 'Period']);

/** The expression's path for this type is one top-level element, at most once, whose value makes one date row. */
function isSingleDate(resourceType: string, expression: string | undefined): boolean {
  const element = singleElement(resourceType, expression);
  return !!element && element.types.length > 0 && element.types.every((type) => ONE_ROW_DATE_TYPES.has(type));
}

function singleElement(resourceType: string, expression: string | undefined): { types: readonly string[] } | undefined {
  const paths = parameterPaths(resourceType, expression);
  if (paths.length !== 1 || !new RegExp(`^${resourceType}\\.[a-z][A-Za-z]*$`).test(paths[0])) {
    return undefined;
  }
  const element = elementIndex.element(paths[0]);
  return element?.max === '1' ? element : undefined;
}
