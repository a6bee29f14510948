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
  readonly sort: readonly SortRule[];
  /** Page size. 0 with total 'accurate' returns only the count. */
  readonly count: number;
  /** Opaque keyset cursor from a previous page's `next` link. */
  readonly cursor?: string;
  readonly total: 'none' | 'estimate' | 'accurate';
}

export type SearchParamType = 'string' | 'token' | 'date' | 'number' | 'quantity' | 'reference' | 'uri' | 'composite' | 'special';

/** One search parameter occurrence: its values are alternatives (OR). */
export interface SearchFilter {
  /** The SearchParameter code as indexed (e.g. `family`, `_id`, `_lastUpdated`). */
  readonly code: string;
  readonly type: SearchParamType;
  readonly modifier?: string;
  readonly values: readonly SearchValue[];
}

export interface SearchValue {
  /** Comparison prefix for ordered types (eq, ne, gt, lt, ge, le, sa, eb, ap). */
  readonly prefix?: string;
  /** The value with escapes (`\,` `\|` `\$`) already resolved. */
  readonly value: string;
}

export interface SortRule {
  readonly code: string;
  readonly descending: boolean;
}
