import type { AccessContext } from '../../auth/access-context';
import { readFilter } from '../access-filter';
import type { Page } from '../fhir-repository';
import type { ParameterFilter, SearchFilter, SearchQuery } from '../search-query';
import type { SqlExecutor } from '../sql-executor';
import { InvalidSearchError } from '../storage-errors';
import { toStoredVersion, VERSION_COLUMNS, type VersionRow } from '../version-row';
import { typeTest } from './chain';
import { filterCondition, matchingRows, mergeSingleValueFilters, valuesCondition } from './filter';
import { filteredWalk, matchCount, walkRowsFor, type FilteredWalk } from './filtered-walk';
import { decodeSearchCursor, encodeSearchCursor, type SearchCursor } from './search-cursor';
import { indexOrderedSegments, isIndexOrdered, onSortParameter } from './index-order';
import { keysetCondition, orderTerm, sortKey, type KeyColumn, type SortKey } from './sort';
import { aliasCounter, and, compose, sql, type Sql, type VisibleRows } from './sql-fragment';

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
}

const RESULT_COLUMNS = VERSION_COLUMNS.split(', ');

/**
 * Compiles a search: every filter is a semi-join (or anti-join) on an index table, the sort
 * keys are per-resource subqueries (or columns), and paging is a keyset condition on the sort
 * keys with the id as the last key, so page 500 costs what page 1 costs.
 */
export function compileSearch(query: SearchQuery, access?: AccessContext): CompiledSearch {
  const types = query.resourceTypes;
  const visible = access && visibleRows(access);
  const target = { id: 'r.id', type: 'r.resource_type', row: 'r', types, next: aliasCounter(), visible };
  const conditions: Sql[] = [typeTest('r.resource_type', types), sql('NOT r.deleted')];
  if (query.compartment) {
    conditions.push(sql('r.compartments @> ARRAY[?]::text[]', query.compartment));
  }
  // The caller's access (STYLE.md rule 4) confines the matches, and every resource a chain,
  // `_has` or chained sort key looks at: what is only tested would otherwise still tell.
  const filter = visible?.(types);
  if (filter) {
    conditions.push(filter('r'));
  }
  const filters = mergeSingleValueFilters(query.filters);
  const where = and([...conditions, ...filters.map((f) => filterCondition(target, f))]);

  // The id breaks ties (with the type in a multi-type search), unless `_id` is already a key.
  const sortsById = types.length === 1 && query.sort.some((rule) => rule.code === '_id' && !rule.chain);
  /** The sort keys of the resource whose `resource_type` and `id` are columns of `alias`. */
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
  const reverse = cursor?.direction === 'p';
  const count = compose('SELECT count(*)::int AS n FROM resource r WHERE {}', where);

  const columns = RESULT_COLUMNS.map((c) => `r.${c}`).join(', ');
  let pages: Sql[];
  let walk: FilteredWalk | undefined;
  // Without an access filter, a compartment or `_lastUpdated`, every condition is one on the
  // resource's id, which any index row of the resource carries: a deleted resource has none.
  const onIdOnly =
    types.length === 1 &&
    !filter &&
    !query.compartment &&
    !query.filters.some((f) => f.kind !== 'chain' && f.kind !== 'has' && f.code === '_lastUpdated');
  const idOrdered = types.length === 1 && keys.length === 1 && keys[0].expression.text === 'r.id';
  // The first filter answered by one index table's rows: the page's ids can be taken from them.
  let driver = -1;
  let source: Sql | undefined;
  for (let i = 0; onIdOnly && i < filters.length && !source; i++) {
    source = matchingRows(target, filters[i], 'd');
    driver = i;
  }
  const othersOn = (idBound?: (column: string) => Sql) =>
    filters
      .filter((_, i) => i !== driver)
      .map((f) => filterCondition({ id: 'd.resource_id', type: 'd.resource_type', types, next: target.next, visible, idBound }, f));
  if (source && idOrdered) {
    // Ordered by id: the page's ids are chosen from the index rows of one filter (the planner
    // may still start from another), in id order from the cursor on, and only their resource
    // rows are read.
    const down = keys[0].descending !== reverse;
    const idBound = cursor ? (column: string) => sql(`${column} ${down ? '<' : '>'} ?::text`, cursor.keys[0]) : undefined;
    const rest = [...othersOn(idBound), ...(idBound ? [idBound('d.resource_id')] : [])];
    const direction = down ? 'DESC' : 'ASC';
    const pages = [
      compose(
        `SELECT ${columns}, r.id::text AS k0 FROM (
           SELECT DISTINCT d.resource_type, d.resource_id FROM {}{}
           ORDER BY d.resource_id ${direction}
           LIMIT ?) p
         JOIN resource r ON r.resource_type = p.resource_type AND r.id = p.resource_id
         WHERE NOT r.deleted
         ORDER BY r.id ${direction}`,
        source,
        rest.length > 0 ? compose(' AND {}', and(rest)) : sql(''),
      ),
    ];
    return { pages, count, keyCount: keys.length, signature, cursor };
  }
  if (isIndexOrdered(query.sort, types)) {
    const rule = query.sort[0];
    // Filters on the sort parameter are tested on the walked row itself when it is the
    // resource's only row of that parameter (a second look-up of the same row otherwise).
    const onKeyRow = (f: SearchFilter): f is ParameterFilter => !!(rule.singleValue || rule.singleInstant) && onSortParameter(rule, f);
    const keyRowTests = filters.filter(onKeyRow).map((f) => valuesCondition('x', f));
    const others = filters.filter((f) => !onKeyRow(f));
    const values = onIdOnly
      ? and([
          typeTest('x.resource_type', types),
          ...others.map((f) => filterCondition({ id: 'x.resource_id', type: 'x.resource_type', types, next: target.next, visible }, f)),
          ...keyRowTests,
        ])
      : and([...conditions, ...others.map((f) => filterCondition(target, f)), ...keyRowTests]);
    pages = indexOrderedSegments(rule, { values, missing: where, late: onIdOnly }, columns, cursor, query.filters);
    walk = onIdOnly ? filteredWalk(query.sort[0], types[0], filters, (f) => matchingRows(target, f, 'd'), columns, cursor) : undefined;
  } else if (keys.every((k) => k.column)) {
    const keyColumns = keys.map((k) => ({ ...toKeyColumn(k), column: k.expression.text }));
    let pageWhere = cursor ? and([where, keysetCondition(keyColumns, cursor.keys, reverse)]) : where;
    if (cursor && keys.length === 1 && keys[0].expression.text === 'r.id') {
      // Ordered by id alone: each filter's index rows start at the cursor too (the planner does
      // not carry `r.id > ?` over to the ids the filters' index scans yield).
      const after = keys[0].descending !== reverse ? '<' : '>';
      const idBound = (column: string) => sql(`${column} ${after} ?::text`, cursor.keys[0]);
      const bounded = filters.map((f) => filterCondition({ ...target, idBound }, f));
      pageWhere = and([...conditions, ...bounded, keysetCondition(keyColumns, cursor.keys, reverse)]);
    }
    pages = [
      compose(
        `SELECT ${columns}, ${keyColumns.map((k, i) => `${k.column}::text AS k${i}`).join(', ')}
         FROM resource r WHERE {} ORDER BY ${keyColumns.map((k) => orderTerm(k, reverse)).join(', ')} LIMIT ?`,
        pageWhere,
      ),
    ];
  } else if (source && !query.sort.some((rule) => rule.code === '_lastUpdated' && !rule.chain)) {
    // Keys computed from index rows for the ids the filters match, and only the page's
    // resource rows read: the resource row of every match (e.g. the ~1,000 roles of a
    // specialty, of which ~100 pass the other filters) is never fetched to be sorted.
    const idKeys = sortKeys('i');
    const keyed = (alias: string) => idKeys.map((k, i) => ({ ...toKeyColumn(k), column: `${alias}.s${i}` }));
    const others = othersOn();
    pages = [
      compose(
        `SELECT ${columns}, ${keyed('p')
          .map((k, i) => `${k.column}::text AS k${i}`)
          .join(', ')} FROM (
           SELECT m.* FROM (
             SELECT i.resource_type, i.id, ${idKeys.map((_, i) => `{} AS s${i}`).join(', ')}
             FROM (SELECT DISTINCT d.resource_type, d.resource_id AS id FROM {}{}) i) m
           WHERE {} ORDER BY ${keyed('m')
             .map((k) => orderTerm(k, reverse))
             .join(', ')} LIMIT ?) p
         JOIN resource r ON r.resource_type = p.resource_type AND r.id = p.id
         WHERE NOT r.deleted
         ORDER BY ${keyed('p')
           .map((k) => orderTerm(k, reverse))
           .join(', ')}`,
        ...idKeys.map((k) => k.expression),
        source,
        others.length > 0 ? compose(' AND {}', and(others)) : sql(''),
        cursor ? keysetCondition(keyed('m'), cursor.keys, reverse) : sql('TRUE'),
      ),
    ];
  } else {
    // Keys computed per matching row in a derived table, then filtered and ordered by name.
    const keyColumns = keys.map((k, i) => ({ ...toKeyColumn(k), column: `m.s${i}` }));
    const inner = compose(
      `SELECT ${RESULT_COLUMNS.map((c) => `r.${c}`).join(', ')}, ${keys.map((_, i) => `{} AS s${i}`).join(', ')} FROM resource r WHERE {}`,
      ...keys.map((k) => k.expression),
      where,
    );
    pages = [
      compose(
        `SELECT ${RESULT_COLUMNS.map((c) => `m.${c}`).join(', ')}, ${keyColumns.map((k, i) => `${k.column}::text AS k${i}`).join(', ')}
         FROM ({}) m WHERE {} ORDER BY ${keyColumns.map((k) => orderTerm(k, reverse)).join(', ')} LIMIT ?`,
        inner,
        cursor ? keysetCondition(keyColumns, cursor.keys, reverse) : sql('TRUE'),
      ),
    ];
  }
  return { pages, count, keyCount: keys.length, signature, cursor, walk };
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

function toKeyColumn(key: { expression: Sql; cast: KeyColumn['cast']; descending: boolean; column: boolean }): KeyColumn {
  return { column: key.expression.text, cast: key.cast, descending: key.descending, nullable: !key.column };
}

type PageRow = VersionRow & Record<string, string | null>;

/** Runs a search: one page of current, non-deleted matches, its cursors, and the total if asked. */
export async function runSearch(db: SqlExecutor, query: SearchQuery, access?: AccessContext): Promise<Page> {
  const compiled = compileSearch(query, access);
  try {
    return await runCompiled(db, query, compiled);
  } catch (error) {
    // A value PostgreSQL cannot take (e.g. a date out of its range) is the client's input.
    if (/^22/.test((error as { code?: string })?.code ?? '')) {
      throw new InvalidSearchError(`A search value is out of range: ${(error as Error).message}`);
    }
    throw error;
  }
}

async function runCompiled(db: SqlExecutor, query: SearchQuery, compiled: CompiledSearch): Promise<Page> {
  const { cursor } = compiled;
  const reverse = cursor?.direction === 'p';
  let rows: PageRow[] = [];
  let more = false;
  if (query.count > 0) {
    const fetched = await walkedPage(db, query, compiled);
    for (const page of compiled.pages) {
      const wanted = query.count + 1 - fetched.length;
      if (wanted <= 0) {
        break;
      }
      fetched.push(...(await db.raw<PageRow>(page.text, [...page.bindings, wanted], { prepare: true })).rows);
    }
    more = fetched.length > query.count;
    rows = fetched.slice(0, query.count);
    if (reverse) {
      rows.reverse();
    }
  }
  const keysOf = (row: PageRow) => Array.from({ length: compiled.keyCount }, (_, i) => row[`k${i}`] ?? null);
  const first = rows[0];
  const last = rows[rows.length - 1];
  const hasNext = reverse ? rows.length > 0 : more;
  const hasPrev = reverse ? more : cursor !== undefined && rows.length > 0;
  return {
    entries: rows.map(toStoredVersion),
    nextCursor: hasNext && last ? encodeSearchCursor('n', compiled.signature, keysOf(last)) : undefined,
    prevCursor: hasPrev && first ? encodeSearchCursor('p', compiled.signature, keysOf(first)) : undefined,
    total: await total(db, query, compiled, rows.length, more),
  };
}

/** The full page (count + 1 rows) from the filtered walk, or nothing: then the usual queries answer. */
async function walkedPage(db: SqlExecutor, query: SearchQuery, compiled: CompiledSearch): Promise<PageRow[]> {
  const walkRows = compiled.walk && walkRowsFor(await matchCount(db, compiled.walk.probe));
  if (!compiled.walk || !walkRows) {
    return [];
  }
  const page = compiled.walk.page(walkRows);
  const { rows } = await db.raw<PageRow>(page.text, [...page.bindings, query.count + 1], { prepare: true });
  // A page the walk did not fill may have matches beyond the rows it walked.
  return rows.length > query.count ? rows : [];
}

async function total(
  db: SqlExecutor,
  query: SearchQuery,
  compiled: CompiledSearch,
  pageSize: number,
  more: boolean,
): Promise<number | undefined> {
  if (query.total === 'accurate') {
    return (await db.raw<{ n: number }>(compiled.count.text, compiled.count.bindings)).rows[0].n;
  }
  if (!compiled.cursor && !more && query.count > 0) {
    return pageSize;
  }
  if (query.total === 'estimate') {
    const plan = await db.raw<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${compiled.count.text}`, compiled.count.bindings);
    const parsed = plan.rows[0]['QUERY PLAN'];
    const root = (typeof parsed === 'string' ? JSON.parse(parsed) : parsed) as { Plan: { Plans?: { 'Plan Rows': number }[] } }[];
    return Math.round(root[0]?.Plan?.Plans?.[0]?.['Plan Rows'] ?? 0);
  }
  return undefined;
}
