import type { AccessContext } from '../../auth/access-context';
import { readFilter } from '../access-filter';
import type { SearchQuery } from '../search-query';
import { typeTest } from './chain';
import { filterCondition, mergeSingleValueFilters } from './filter';
import type { FilteredWalk } from './filtered-walk';
import { isIndexOrdered } from './index-order';
import { driverOf, hashedFilters, type HashedFilters } from './index-row-driver';
import { RESULT_COLUMNS, type PageInputs } from './page-inputs';
import { idOrderedPages } from './pages-by-id';
import { computedKeyPages, computedKeyPagesFromIndexRows } from './pages-by-computed-keys';
import { indexOrderedPages } from './pages-by-index-order';
import { keyColumnPages } from './pages-by-key-columns';
import { decodeSearchCursor, type SearchCursor } from './search-cursor';
import { sortKey, toKeyColumn, type SortKey } from './sort';
import { aliasCounter, and, compose, sql, type Sql, type Target, type VisibleRows } from './sql-fragment';

/**
 * The SQL of a search: the page queries, run in order until count + 1 rows are found (each
 * ends in `LIMIT ?`, bound to the number of rows still wanted), and the total-count query.
 */
export interface CompiledSearch {
  readonly pages: readonly Sql[];
  readonly count: Sql;
  /** Number of sort key columns (`k0..kn`) each page row carries for the cursors. */
  readonly keyCount: number;
  readonly signature: string;
  readonly cursor?: SearchCursor;
  /** A cheaper way to the page that is tried first, when a count of matches favours it. */
  readonly walk?: FilteredWalk;
  /** Pages that test some filters against hashes of their matches, when counts of matches favour them. */
  readonly hashed?: HashedFilters;
}

/**
 * Compiles a search: every filter is a semi-join (or anti-join) on an index table, the sort
 * keys are per-resource subqueries (or columns), and paging is a keyset condition on the sort
 * keys with the id as the last key, so page 500 costs what page 1 costs. How the page is
 * chosen depends on the sort and the filters (pages-*.ts).
 */
export function compileSearch(query: SearchQuery, access?: AccessContext): CompiledSearch {
  const types = query.resourceTypes;
  const visible = access && visibleRows(access);
  const target: Target = { id: 'r.id', type: 'r.resource_type', row: 'r', types, next: aliasCounter(), visible };
  const conditions: Sql[] = [typeTest('r.resource_type', types), sql('NOT r.deleted')];
  if (query.compartment) {
    conditions.push(sql('r.compartments @> ARRAY[?]::text[]', query.compartment));
  }
  // The caller's access (STYLE.md rule 4) confines the matches, and every resource a chain,
  // `_has` or chained sort key looks at: what is only tested would otherwise still tell.
  const accessFilter = visible?.(types);
  if (accessFilter) {
    conditions.push(accessFilter('r'));
  }
  const filters = mergeSingleValueFilters(query.filters);
  const where = and([...conditions, ...filters.map((f) => filterCondition(target, f))]);

  // The id breaks ties (with the type in a multi-type search), unless `_id` is already a key.
  const sortsById = types.length === 1 && query.sort.some((rule) => rule.code === '_id' && !rule.chain);
  const sortKeys = (alias: string): SortKey[] => {
    const ruleKeys = query.sort.map((rule) => sortKey(rule, alias, visible));
    const tieDescending = ruleKeys[0]?.descending ?? false;
    return [
      ...ruleKeys,
      ...(types.length > 1
        ? [{ expression: sql(`${alias}.resource_type`), cast: 'text' as const, descending: tieDescending, column: true }]
        : []),
      ...(sortsById ? [] : [{ expression: sql(`${alias}.id`), cast: 'text' as const, descending: tieDescending, column: true }]),
    ];
  };
  const keys = sortKeys('r');
  const signature = [
    types.join(','),
    ...query.sort.map((rule) => `${rule.descending ? '-' : ''}${rule.chain ? rule.chain.code + '.' : ''}${rule.code}`),
  ].join('|');
  const cursor = query.cursor ? decodeSearchCursor(query.cursor, signature, keys.map(toKeyColumn)) : undefined;
  const count = compose('SELECT count(*)::int AS n FROM resource r WHERE {}', where);

  const onIdOnly =
    types.length === 1 &&
    !accessFilter &&
    !query.compartment &&
    !query.filters.some((f) => f.kind !== 'chain' && f.kind !== 'has' && f.code === '_lastUpdated');
  const inputs: PageInputs = {
    types,
    target,
    conditions,
    filters,
    where,
    keys,
    sortKeys,
    cursor,
    columns: RESULT_COLUMNS.map((c) => `r.${c}`).join(', '),
    onIdOnly,
    driver: onIdOnly ? driverOf(target, filters) : undefined,
  };
  return { ...choosePages(inputs, query), count, keyCount: keys.length, signature, cursor };
}

/** How the page is found: the first strategy whose conditions the search meets. */
function choosePages(inputs: PageInputs, query: SearchQuery): Pick<CompiledSearch, 'pages' | 'walk' | 'hashed'> {
  const { types, keys, driver } = inputs;
  const idOrdered = types.length === 1 && keys.length === 1 && keys[0].expression.text === 'r.id';
  if (driver && idOrdered) {
    return { pages: idOrderedPages(inputs, driver) };
  }
  if (isIndexOrdered(query.sort, types)) {
    return indexOrderedPages(inputs, query);
  }
  if (keys.every((k) => k.column)) {
    return { pages: keyColumnPages(inputs) };
  }
  if (driver && !query.sort.some((rule) => rule.code === '_lastUpdated' && !rule.chain)) {
    const { target, filters } = inputs;
    return {
      pages: computedKeyPagesFromIndexRows(inputs, driver),
      hashed: hashedFilters(target, filters, (choice) =>
        computedKeyPagesFromIndexRows(inputs, driverOf(target, filters, choice) ?? driver),
      ),
    };
  }
  return { pages: computedKeyPages(inputs) };
}

/** The caller's read filter (storage/access-filter.ts) in the shape search conditions take. */
function visibleRows(access: AccessContext): VisibleRows {
  return (types) => {
    if (!readFilter(access, types)) {
      return undefined;
    }
    return (alias) => {
      const filter = readFilter(access, types, alias) ?? { sql: 'TRUE', bindings: [] };
      return sql(filter.sql, ...filter.bindings);
    };
  };
}
