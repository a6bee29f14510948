import { allResourceTypes, isResourceType, patientCompartmentParams } from '../../definitions';
import type { StoredVersion } from '../../storage/fhir-repository';
import type { SearchFilter } from '../../storage/search-query';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir-request';
import { badRequest, notFound, notSupported, tooCostly } from '../outcomes';
import { MAX_PAGE_SIZE, pageLink } from '../paging';
import { applyView, isFullView, parseResourceView, type ResourceView } from '../resource-view';
import { parseSearchRequest, type ParsedSearch } from '../search/parse';
import { parseFilter } from '../search/parse-filter';
import { supportedParameter } from '../search/registry';
import { expandValueSetModifiers } from '../search/value-set-modifiers';
import { resolveIncludes, parseIncludes } from './search-includes';
import { parseStored } from './stored-resource';

/** What a search runs over: its resource types, the path its links repeat, a compartment. */
interface SearchScope {
  readonly types: readonly string[];
  readonly path: string;
  readonly compartment?: string;
  /** `GET [base]?_type=...`: only there does `_type` choose the types. */
  readonly systemLevel?: boolean;
  /** Parameters the links repeat that are not search parameters (`$everything`'s `_type`). */
  readonly linkParams?: URLSearchParams;
  /** Conditions besides the request's search parameters (`$everything`'s care date window). */
  readonly filters?: readonly SearchFilter[];
  /** Resources to include before those of `_include` (Encounter `$everything`'s encounter). */
  readonly included?: readonly StoredVersion[];
}

/** http://hl7.org/fhir/R4/http.html#search: `GET [type]?...` and `POST [type]/_search`. */
export function searchType(ctx: FhirContext, request: FhirRequest, resourceType: string): Promise<FhirResponse> {
  return search(ctx, request, { types: [resourceType], path: resourceType });
}

/** http://hl7.org/fhir/R4/http.html#search, system level: `GET [base]?_type=A,B&...`. */
export function searchSystem(ctx: FhirContext, request: FhirRequest): Promise<FhirResponse> {
  const listed = request.query
    .getAll('_type')
    .flatMap((value) => value.split(','))
    .map((type) => type.trim())
    .filter(Boolean);
  const unknown = listed.filter((type) => !isResourceType(type));
  if (unknown.length > 0) {
    throw badRequest(`_type lists unknown resource types: ${unknown.join(', ')}`);
  }
  return search(ctx, request, { types: listed.length > 0 ? [...new Set(listed)] : allResourceTypes(), path: '', systemLevel: true });
}

/**
 * http://hl7.org/fhir/R4/http.html#vsearch, compartment search: `GET Patient/123/Appointment`
 * (or `Patient/123/*`) finds the resources in that Patient's compartment
 * (compartmentdefinition-patient.html), from the compartment membership stored with each resource.
 * A Patient the caller may not see is 404, as a read of it would be, not an empty Bundle; a
 * caller who may read no Patient at all (a backend client for one type) learns nothing by it.
 */
export async function searchCompartment(
  ctx: FhirContext,
  request: FhirRequest,
  compartmentType: string,
  id: string,
  member: string,
): Promise<FhirResponse> {
  if (compartmentType !== 'Patient') {
    throw notSupported(`Compartment search is supported for the Patient compartment, not ${compartmentType}`);
  }
  if (ctx.access.readGrants(compartmentType).length > 0) {
    const owner = await ctx.repo.readCurrent(compartmentType, id);
    if (!owner || owner.deleted) {
      throw notFound(`${compartmentType}/${id} not found`);
    }
  }
  const types =
    member === '*' ? allResourceTypes().filter((type) => type === 'Patient' || patientCompartmentParams(type).length > 0) : [member];
  return search(ctx, request, { types, path: `${compartmentType}/${id}/${member}`, compartment: `${compartmentType}/${id}` });
}

/**
 * http://hl7.org/fhir/R4/patient-operation-everything.html: the Patient compartment (or the
 * `types` of it) searched with the request's parameters; the paging links come back to
 * `Patient/{id}/$everything`. The caller's access filter applies as to every search.
 */
export function searchEverything(
  ctx: FhirContext,
  request: FhirRequest,
  id: string,
  options: {
    readonly types?: readonly string[];
    /** Given the types searched, conditions besides the request's search parameters. */
    readonly filters?: (types: readonly string[]) => SearchFilter[];
    /** Parameters the links repeat that are not search parameters. */
    readonly linkParams: URLSearchParams;
  },
): Promise<FhirResponse> {
  const compartmentTypes = allResourceTypes().filter((type) => type === 'Patient' || patientCompartmentParams(type).length > 0);
  const unknown = (options.types ?? []).filter((type) => !compartmentTypes.includes(type));
  if (unknown.length > 0) {
    throw badRequest(`_type lists types outside the Patient compartment: ${unknown.join(', ')}`);
  }
  // The access log is in the compartment too, and grows with every read of it: asked for by _type only.
  const types = options.types ?? compartmentTypes.filter((type) => type !== 'AuditEvent');
  return search(ctx, request, {
    types,
    path: `Patient/${id}/$everything`,
    compartment: `Patient/${id}`,
    linkParams: options.linkParams,
    filters: options.filters?.(types),
  });
}

/**
 * http://hl7.org/fhir/R4/encounter-operation-everything.html: the resources that refer to the
 * encounter through their `encounter` search parameter (notes, prescriptions, documents,
 * observations, reviews, ...), or those of `types`, searched with the request's parameters; the
 * first page also includes the encounter and what it refers to (patient, practitioners,
 * appointment, location). The caller's access filter applies as to every search.
 */
export async function searchEncounterEverything(
  ctx: FhirContext,
  request: FhirRequest,
  id: string,
  options: { readonly types?: readonly string[]; readonly linkParams: URLSearchParams },
): Promise<FhirResponse> {
  const catalog = ctx.repo.searchParameters;
  const related = allResourceTypes().filter((type) => supportedParameter(catalog, type, 'encounter')?.targets.includes('Encounter'));
  const unknown = (options.types ?? []).filter((type) => !related.includes(type));
  if (unknown.length > 0) {
    throw badRequest(`_type lists types that do not refer to an encounter: ${unknown.join(', ')} (the encounter itself always comes)`);
  }
  const types = options.types ?? related;
  const encounter = `Encounter/${id}`;
  const refersToEncounter = parseFilter({ catalog, baseUrl: ctx.baseUrl }, types, 'encounter', encounter) as SearchFilter;
  return search(ctx, request, {
    types,
    path: `${encounter}/$everything`,
    linkParams: options.linkParams,
    filters: [refersToEncounter],
    included: request.query.has('_cursor') ? undefined : await encounterAndReferences(ctx, id),
  });
}

async function encounterAndReferences(ctx: FhirContext, id: string): Promise<StoredVersion[]> {
  const encounter = await ctx.repo.readCurrent('Encounter', id);
  if (!encounter || encounter.deleted) {
    return [];
  }
  const references = parseIncludes(new URLSearchParams({ _include: 'Encounter:*' }), ['Encounter'], ctx.repo.searchParameters);
  return [encounter, ...(await resolveIncludes(ctx, [encounter], references))];
}

/** Each resource once, the first of its versions listed, none of `except`. */
function uniqueVersions(versions: readonly StoredVersion[], except: readonly StoredVersion[]): StoredVersion[] {
  const key = (v: StoredVersion) => `${v.resourceType}/${v.id}`;
  const unique = new Map<string, StoredVersion>();
  const excluded = new Set(except.map(key));
  for (const version of versions) {
    if (!unique.has(key(version)) && !excluded.has(key(version))) {
      unique.set(key(version), version);
    }
  }
  return [...unique.values()];
}

/**
 * Every match of a search of one type, page after page in the order its `_sort` asks, for an
 * operation that looks at all of them (Observation `$lastn`); more than `limit` is a 400 (too
 * costly), so the request must be narrowed. Access filters apply as to every search.
 */
export async function allMatches(ctx: FhirContext, request: FhirRequest, resourceType: string, limit: number): Promise<StoredVersion[]> {
  const { query } = await parseSearch(ctx, request, [resourceType]);
  const matches: StoredVersion[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.repo.search({ ...query, count: MAX_PAGE_SIZE, cursor, total: 'none' });
    matches.push(...page.entries);
    if (matches.length > limit) {
      throw tooCostly(`More than ${limit} ${resourceType} resources match; narrow the search (a code, a category, a date range)`);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return matches;
}

/**
 * A search trusts a check of the stored SearchParameters made this recently (one query less
 * per search): another server process's new parameter is searchable within a second, this
 * process's own at once. Conditional writes still check every time.
 */
const SEARCH_PARAMETERS_MAX_AGE_MS = 1000;

/** The request's search over `types`, with the search parameters in force and `:in` value sets expanded. */
async function parseSearch(ctx: FhirContext, request: FhirRequest, types: readonly string[], systemLevel?: boolean): Promise<ParsedSearch> {
  await ctx.repo.syncSearchParameters({ maxAgeMs: SEARCH_PARAMETERS_MAX_AGE_MS });
  return parseSearchRequest(types, await expandValueSetModifiers(ctx, request.query, types), {
    strict: request.headers.preferHandling === 'strict',
    catalog: ctx.repo.searchParameters,
    baseUrl: ctx.baseUrl,
    systemLevel,
  });
}

/**
 * A searchset Bundle (http://hl7.org/fhir/R4/bundle.html#searchset) with `self`, `next` and
 * `prev` links. The Bundle text is assembled from the stored JSON of each match, so a page
 * costs no parse/serialise round of its resources.
 */
async function search(ctx: FhirContext, request: FhirRequest, scope: SearchScope): Promise<FhirResponse> {
  const params = request.query;
  const { query, ignored } = await parseSearch(ctx, request, scope.types, scope.systemLevel);
  const view = parseResourceView(params);
  const includes = parseIncludes(params, scope.types, ctx.repo.searchParameters);
  const filters = scope.filters ? [...query.filters, ...scope.filters] : query.filters;
  const page = await ctx.repo.search({ ...query, filters, compartment: scope.compartment });
  const resolved = includes.length > 0 ? await resolveIncludes(ctx, page.entries, includes) : [];
  const included = scope.included ? uniqueVersions([...scope.included, ...resolved], page.entries) : resolved;
  const used = new URLSearchParams(params);
  for (const name of ignored) {
    used.delete(name);
  }
  for (const [name, value] of scope.linkParams ?? []) {
    used.append(name, value);
  }
  const links = [{ relation: 'self', url: pageLink(ctx.baseUrl, scope.path, used, {}) }];
  if (page.nextCursor) {
    links.push({ relation: 'next', url: pageLink(ctx.baseUrl, scope.path, used, { _cursor: page.nextCursor }) });
  }
  if (page.prevCursor) {
    links.push({ relation: 'previous', url: pageLink(ctx.baseUrl, scope.path, used, { _cursor: page.prevCursor }) });
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
  // An empty search leaves `entry` out: FHIR JSON has no empty arrays (json.html).
  const text = entries.length > 0 ? JSON.stringify(head).slice(0, -1) + `,"entry":[${entries.join(',')}]}` : JSON.stringify(head);
  return { status: 200, resourceText: text };
}

function searchEntryText(baseUrl: string, stored: StoredVersion, view: ResourceView, mode: 'match' | 'include'): string {
  const resourceText = isFullView(view) ? stored.content : JSON.stringify(applyView(parseStored(stored), view));
  const fullUrl = JSON.stringify(`${baseUrl}/${stored.resourceType}/${stored.id}`);
  return `{"fullUrl":${fullUrl},"resource":${resourceText},"search":{"mode":"${mode}"}}`;
}
