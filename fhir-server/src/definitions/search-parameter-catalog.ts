import type { SearchParameter } from '@medplum/fhirtypes';

/** Resource types that are not DomainResources (no text, contained, extensions). */
const NOT_DOMAIN_RESOURCES = new Set(['Bundle', 'Binary', 'Parameters']);

/**
 * Types whose base (R4 and profiles) parameters are limited to a few codes. One AuditEvent is
 * stored per read or search, so every index row of it is paid on the read path: it is indexed
 * by what administrators search the trail by, not by the ~30 base parameters (19 index rows per
 * event -> 8). Resource-level parameters (`_id`, `_lastUpdated`, `_tag`, ...) stay; custom
 * SearchParameters stored through the API still apply (and reindex the existing events).
 */
const LEAN_TYPES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['AuditEvent', new Set(['date', 'agent', 'entity', 'patient', 'type', 'subtype', 'outcome'])],
]);

/**
 * The SearchParameters in force: the R4 base set, the ones shipped in `profiles/`, and the
 * custom ones stored through the API (a replaceable layer, reloaded when another server
 * process changes them). Indexing (storage/) and search parsing (fhir/) read the same
 * instance, so a parameter is searchable exactly when it is indexed.
 */
export class SearchParameterCatalog {
  private custom: readonly SearchParameter[] = [];
  private readonly byType = new Map<string, ReadonlyMap<string, SearchParameter>>();
  private urls: ReadonlyMap<string, SearchParameter> | undefined;
  private revision = 0;

  constructor(private readonly fixed: readonly SearchParameter[]) {}

  /** Changes whenever the set of parameters changes; caches derived from the catalog key on it. */
  get version(): number {
    return this.revision;
  }

  /** The custom (API-created) layer, replaced as a whole; later entries win over earlier ones. */
  replaceCustom(parameters: readonly SearchParameter[]): void {
    this.custom = parameters;
    this.byType.clear();
    this.urls = undefined;
    this.revision++;
  }

  /** The parameters of a resource type by code, including the ones defined on Resource/DomainResource. */
  parametersOf(resourceType: string): ReadonlyMap<string, SearchParameter> {
    let params = this.byType.get(resourceType);
    if (!params) {
      const built = new Map<string, SearchParameter>();
      const lean = LEAN_TYPES.get(resourceType);
      for (const param of this.fixed) {
        if (param.code && appliesTo(param, resourceType) && (!lean || lean.has(param.code) || isResourceLevel(param))) {
          built.set(param.code, param);
        }
      }
      for (const param of this.custom) {
        if (param.code && appliesTo(param, resourceType)) {
          built.set(param.code, param);
        }
      }
      params = built;
      this.byType.set(resourceType, params);
    }
    return params;
  }

  get(resourceType: string, code: string): SearchParameter | undefined {
    return this.parametersOf(resourceType).get(code);
  }

  /** A parameter by canonical URL (composite components refer to their parts this way). */
  byUrl(url: string): SearchParameter | undefined {
    if (!this.urls) {
      this.urls = new Map([...this.fixed, ...this.custom].filter((p) => p.url).map((p) => [p.url as string, p]));
    }
    return this.urls.get(url.split('|')[0]);
  }
}

function isResourceLevel(param: SearchParameter): boolean {
  return ((param.base ?? []) as readonly string[]).some((base) => base === 'Resource' || base === 'DomainResource');
}

function appliesTo(param: SearchParameter, resourceType: string): boolean {
  const bases = (param.base ?? []) as readonly string[];
  return (
    bases.includes(resourceType) ||
    bases.includes('Resource') ||
    (bases.includes('DomainResource') && !NOT_DOMAIN_RESOURCES.has(resourceType))
  );
}

/**
 * Known errors in the published R4 definitions, corrected where they are read.
 * DocumentReference-relationship lists its components crosswise (the reference definition
 * with expression `code`, the token one with `target`); R5 fixed the order to relation $ target.
 */
export function correctR4Definitions(params: SearchParameter[]): SearchParameter[] {
  return params.map((param) => {
    if (param.url === 'http://hl7.org/fhir/SearchParameter/DocumentReference-relationship' && param.component?.length === 2) {
      const [first, second] = param.component;
      return {
        ...param,
        component: [
          { ...first, definition: second.definition },
          { ...second, definition: first.definition },
        ],
      };
    }
    return param;
  });
}
