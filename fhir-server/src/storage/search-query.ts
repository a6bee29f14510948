/**
 * A parsed, validated FHIR search (http://hl7.org/fhir/R4/search.html) in the form the
 * storage layer turns into SQL. `fhir/search/parse.ts` builds it from the query string;
 * `storage/search-sql/` compiles it. Nothing here is raw user text that could reach SQL
 * except through bindings.
 */
export interface SearchQuery {
  /** One resource type, or several for a system-level search with `_type`. */
  readonly resourceTypes: readonly string[];
  /** All must match (AND). */
  readonly filters: readonly SearchFilter[];
  /** Sort keys in order; the resource id is always the last, tie-breaking key. */
  readonly sort: readonly SortRule[];
  /** Page size. 0 with total 'accurate' returns only the count. */
  readonly count: number;
  /** Opaque keyset cursor from a previous page's `next` or `prev` link. */
  readonly cursor?: string;
  /**
   * `accurate`: count every match; `estimate`: the planner's estimate; `none`: no count, except
   * when the first page holds every match (then its size is the exact total at no cost).
   */
  readonly total: 'none' | 'estimate' | 'accurate';
  /**
   * Only resources in this compartment, e.g. `Patient/123` (compartment search, and the
   * confinement of patient-scoped access).
   */
  readonly compartment?: string;
}

export type SearchParamType = 'string' | 'token' | 'date' | 'number' | 'quantity' | 'reference' | 'uri' | 'composite' | 'special' | 'text';

/** A condition on the resources searched: a parameter's values, a chain, or a reverse chain. */
export type SearchFilter = ParameterFilter | ChainFilter | ReverseChainFilter;

/** One search parameter occurrence: its values are alternatives (OR). */
export interface ParameterFilter {
  readonly kind?: 'parameter';
  /** The SearchParameter code as indexed (e.g. `family`, `_id`, `_lastUpdated`). */
  readonly code: string;
  readonly type: SearchParamType;
  /**
   * missing, exact, contains, text, not, above, below, or a resource type (references); and
   * `or-missing`, never parsed from a request: the values, or no value of the parameter at all
   * (`Patient/$everything`'s `start` and `end` keep what has no care date).
   */
  readonly modifier?: string;
  readonly values: readonly SearchValue[];
  /** Composite parameters: the types of their components, in order. */
  readonly components?: readonly SearchParamType[];
  /** Reference parameters: the resource types they may point to. */
  readonly targetTypes?: readonly string[];
  /** Reference parameters: where part of their rows are stored under other parameters. */
  readonly derived?: readonly ReferenceDerivation[];
  /** String parameters matched phonetically (SearchParameter.xpathUsage = phonetic). */
  readonly phonetic?: boolean;
  /** Date parameters with at most one index row per resource (see SortRule.singleValue). */
  readonly singleValue?: boolean;
  /** Token parameters on plain `code` elements: every code a stored resource can hold there. */
  readonly boundCodes?: ReadonlySet<string>;
  /**
   * Set by the SQL builder: occurrences of a single-valued parameter that all hold (e.g.
   * `start=ge...&start=lt...`), tested together on the resource's one index row.
   */
  readonly allOf?: readonly ParameterFilter[];
}

/**
 * `subject:Patient.name=x` (search.html#chaining): the reference parameter `code` points to a
 * resource of one of `targetTypes` that matches `filter`.
 */
export interface ChainFilter {
  readonly kind: 'chain';
  readonly code: string;
  readonly targetTypes: readonly string[];
  readonly derived?: readonly ReferenceDerivation[];
  readonly filter: SearchFilter;
}

/**
 * `_has:Observation:patient:code=x` (search.html#has): some `sourceType` resource whose
 * reference parameter `referenceParam` points to this one matches `filter`.
 */
export interface ReverseChainFilter {
  readonly kind: 'has';
  readonly sourceType: string;
  readonly referenceParam: string;
  readonly derived?: readonly ReferenceDerivation[];
  readonly filter: SearchFilter;
}

/**
 * A reference parameter of `resourceType` whose rows of `targetType` targets are the rows of
 * the `sources` parameters with such targets (storage/indexing/indexed-parameters.ts).
 */
export interface ReferenceDerivation {
  readonly resourceType: string;
  readonly sources: readonly string[];
  readonly targetType: string;
}

export interface SearchValue {
  /** Comparison prefix for ordered types (eq, ne, gt, lt, ge, le, sa, eb, ap). */
  readonly prefix?: string;
  /** The value with escapes (`\,` `\|` `\$` `\\`) already resolved. */
  readonly value: string;
  /**
   * The `|`-separated parts, escapes resolved, when the value has any unescaped `|`:
   * token `[system]|[code]`, quantity `number|[system]|[code]`, canonical `url|version`.
   */
  readonly parts?: readonly string[];
  /** Composite values: one value per component (split at unescaped `$`). */
  readonly components?: readonly SearchValue[];
}

export interface SortRule {
  /** `_id`, `_lastUpdated`, or a parameter code (of the chained type when `chain` is set). */
  readonly code: string;
  readonly type: SearchParamType;
  readonly descending: boolean;
  /** `_sort=patient.family`: sort by a parameter of the resource a reference points to. */
  readonly chain?: { readonly code: string; readonly targetTypes: readonly string[]; readonly derived?: readonly ReferenceDerivation[] };
  /** Reference parameters: where part of their rows are stored under other parameters. */
  readonly derived?: readonly ReferenceDerivation[];
  /** The parameter holds at most one instant per resource, so a filter on it bounds the sort key. */
  readonly singleInstant?: boolean;
  /** The parameter has at most one index row per resource, so that row is its sort key. */
  readonly singleValue?: boolean;
}
