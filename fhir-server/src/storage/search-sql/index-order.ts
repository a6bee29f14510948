import type { ParameterFilter, SearchFilter, SortRule } from '../search-query';
import { instantCondition } from './date';
import { asWrittenRow } from './quantity';
import { parameterRowTest } from './reference-param';
import type { SearchCursor } from './search-cursor';
import { anchor, and, compose, key, literal, sql, valuesAsKeys, type Sql } from './sql-fragment';

/**
 * One sort key on a parameter (`_sort=family`, `_sort=-date`) answered by walking that
 * parameter's index in order, instead of computing the key of every match and sorting them:
 * the first page of 100,000 patients sorted by name costs what a page of 20 does. A resource's
 * key is its lowest value (highest when descending); the anti-join keeps exactly that row of
 * each resource. Resources without a value come after all others, from a second query.
 */
interface OrderedColumn {
  readonly table: string;
  readonly column: (descending: boolean) => string;
  /** Text indexed with text_pattern_ops: byte order, compared with the ~<~ operators. */
  readonly pattern: boolean;
  readonly cast: 'text' | 'timestamptz' | 'numeric';
  /** Rows that cannot be a key (token rows of text only, canonical quantity rows). */
  readonly keyRow?: (alias: string) => Sql;
}

const ORDERED: Record<string, OrderedColumn> = {
  string: { table: 'sp_string', column: () => 'value', pattern: true, cast: 'text' },
  uri: { table: 'sp_uri', column: () => 'value', pattern: true, cast: 'text' },
  token: { table: 'sp_token', column: () => 'code', pattern: false, cast: 'text', keyRow: (a) => sql(`${a}.code IS NOT NULL`) },
  date: { table: 'sp_date', column: (d) => (d ? 'high' : 'low'), pattern: false, cast: 'timestamptz' },
  number: { table: 'sp_number', column: (d) => (d ? 'high' : 'low'), pattern: false, cast: 'numeric' },
  quantity: {
    table: 'sp_quantity',
    column: (d) => (d ? 'high' : 'low'),
    pattern: false,
    cast: 'numeric',
    keyRow: asWrittenRow,
  },
};

/**
 * Whether a search's sort is one parameter key this module can answer from the index. Not a
 * reference: `sp_reference_url_idx` holds only references without a local target, so the keys
 * of a reference sort are computed from the matches (sort.ts).
 */
export function isIndexOrdered(rules: readonly SortRule[], types: readonly string[]): boolean {
  const [rule] = rules;
  return (
    rules.length === 1 && types.length === 1 && !rule.chain && rule.code !== '_id' && rule.code !== '_lastUpdated' && !!ORDERED[rule.type]
  );
}

/** The search's conditions for each segment of an index-ordered page. */
export interface SegmentConditions {
  /** For the resources with a key value: may test the walked key row `x` as well as `r`. */
  readonly values: Sql;
  /** For the resources without one, on `r`. */
  readonly missing: Sql;
  /**
   * `values` tests only the index row's `x.resource_type` and `x.resource_id` (no condition
   * needs the resource row): the page is then chosen before any resource row is read.
   */
  readonly late: boolean;
}

/**
 * The queries of one page, run in order until the page is full, each ending in `LIMIT ?`
 * (the runner binds how many rows are still wanted): the resources with a key value, then
 * those without, or the reverse when paging backwards. Rows carry `k0` (key as text, null when
 * absent) and `k1` (id) for the cursors.
 */
export function indexOrderedSegments(
  rule: SortRule,
  where: SegmentConditions,
  columns: string,
  cursor: SearchCursor | undefined,
  filters: readonly SearchFilter[] = [],
): Sql[] {
  const ordered = ORDERED[rule.type];
  const reverse = cursor?.direction === 'p';
  const bounds = keyBounds(rule, filters, `x.${ordered.column(rule.descending)}`);
  const withValues = (keyset: boolean) =>
    valuesQuery(
      ordered,
      rule,
      bounds ? and([where.values, bounds]) : where.values,
      columns,
      reverse,
      keyset ? cursor : undefined,
      where.late,
    );
  const withoutValues = (keyset: boolean) => missingQuery(ordered, rule, where.missing, columns, reverse, keyset ? cursor : undefined);
  const cursorOnMissing = cursor !== undefined && cursor.keys[0] === null;
  if (!reverse) {
    return cursorOnMissing ? [withoutValues(true)] : [withValues(cursor !== undefined), withoutValues(false)];
  }
  return cursorOnMissing ? [withoutValues(true), withValues(false)] : [withValues(true)];
}

/** A filter on the sort parameter's own values (no modifier): one that can bound or test the walked key row. */
export function onSortParameter(rule: SortRule, filter: SearchFilter): filter is ParameterFilter {
  return filter.kind !== 'chain' && filter.kind !== 'has' && filter.code === rule.code && !filter.modifier;
}

/**
 * For a parameter with at most one instant per resource, the walked row is the resource's only
 * value, so the search's own filters on that parameter bound the walk (the first page of a week
 * 55 days back no longer walks every newer row). The exact test stays in the search's conditions.
 */
function keyBounds(rule: SortRule, filters: readonly SearchFilter[], column: string): Sql | undefined {
  if (!rule.singleInstant) {
    return undefined;
  }
  const bounds = filters
    .filter((f) => onSortParameter(rule, f))
    .filter((f) => f.values.length === 1)
    .map((f) => instantCondition(column, f.values[0]))
    .filter((bound): bound is Sql => bound !== undefined);
  return bounds.length > 0 ? and(bounds) : undefined;
}

function valuesQuery(
  ordered: OrderedColumn,
  rule: SortRule,
  where: Sql,
  columns: string,
  reverse: boolean,
  cursor: SearchCursor | undefined,
  late: boolean,
): Sql {
  const column = ordered.column(rule.descending);
  const down = rule.descending !== reverse;
  const op = comparison(ordered);
  const keyRows = (alias: string) => (ordered.keyRow ? compose(' AND {}', ordered.keyRow(alias)) : sql(''));
  const keyset = cursor ? afterCursor(ordered, `x.${column}`, down, cursor) : sql('');
  // The key of a resource is its lowest value for an ascending sort, its highest for a descending one:
  // the row no other row of the resource beats. A parameter with one row per resource needs no test.
  const better = rule.descending ? op('>') : op('<');
  const lowest =
    rule.singleValue || rule.singleInstant
      ? sql('')
      : compose(
          `
       AND NOT EXISTS (SELECT 1 FROM ${ordered.table} y WHERE y.resource_type = x.resource_type AND y.resource_id = x.resource_id
         AND {}{} AND (y.${column} ${better} x.${column} OR (y.${column} = x.${column} AND y.ctid < x.ctid)))`,
          parameterRowTest('y', rule.code),
          keyRows('y'),
        );
  const order = orderTerms(ordered, down);
  if (late) {
    // The page is chosen from index rows alone; only its resources' rows are read.
    return compose(
      `SELECT ${columns}, p.k0::text AS k0, p.k1 FROM (
         SELECT x.resource_type, x.resource_id AS k1, x.${column} AS k0 FROM ${ordered.table} x
         WHERE {}{}{}
           AND {}{}
         ORDER BY ${order(`x.${column}`, 'x.resource_id')}
         LIMIT ?) p
       JOIN resource r ON r.resource_type = p.resource_type AND r.id = p.k1
       WHERE NOT r.deleted
       ORDER BY ${order('p.k0', 'p.k1')}`,
      parameterRowTest('x', rule.code),
      keyRows('x'),
      lowest,
      where,
      keyset,
    );
  }
  return compose(
    `SELECT ${columns}, x.${column}::text AS k0, x.resource_id AS k1
     FROM ${ordered.table} x JOIN resource r ON r.resource_type = x.resource_type AND r.id = x.resource_id
     WHERE x.resource_type = r.resource_type AND {}{}{}
       AND {}{}
     ORDER BY ${order(`x.${column}`, 'x.resource_id')}
     LIMIT ?`,
    parameterRowTest('x', rule.code),
    keyRows('x'),
    lowest,
    where,
    keyset,
  );
}

/**
 * The first page (or the next, after `cursor`) of a search with one filter, sorted by a
 * parameter with one index row per resource, from a walk of at most `walkRows` rows of the sort
 * parameter's index in order: each walked resource is tested against a hash of the filter's
 * matching ids (`filterRows`, `sp_<type> d WHERE ...`), built once. Wrapped in `IS TRUE`, the
 * membership test stays that hashed SubPlan; as a semi-join the planner would drive from the
 * filter's rows again and look up each match's key. Ends in `LIMIT ?` (rows wanted); fewer
 * rows than wanted mean the walk ran out, not that the matches did (filtered-walk.ts).
 */
export function filteredWalkPage(
  rule: SortRule,
  type: string,
  filterRows: Sql,
  columns: string,
  cursor: SearchCursor | undefined,
  walkRows: number,
): Sql {
  const ordered = ORDERED[rule.type];
  const column = ordered.column(rule.descending);
  const order = orderTerms(ordered, rule.descending);
  return compose(
    `SELECT ${columns}, p.k0::text AS k0, p.k1 FROM (
       SELECT w.resource_type, w.k1, w.k0 FROM (
         SELECT x.resource_type, x.resource_id AS k1, x.${column} AS k0 FROM ${ordered.table} x
         WHERE x.resource_type = {} AND x.param = {}{}{}
         ORDER BY ${order(`x.${column}`, 'x.resource_id')}
         LIMIT {}) w
       WHERE (w.k1 IN (SELECT d.resource_id FROM {})) IS TRUE
       ORDER BY ${order('w.k0', 'w.k1')}
       LIMIT ?) p
     JOIN resource r ON r.resource_type = p.resource_type AND r.id = p.k1
     WHERE NOT r.deleted
     ORDER BY ${order('p.k0', 'p.k1')}`,
    sql('?', literal(type)),
    sql('?', literal(rule.code)),
    ordered.keyRow ? compose(' AND {}', ordered.keyRow('x')) : sql(''),
    cursor ? afterCursor(ordered, `x.${column}`, rule.descending, cursor) : sql(''),
    sql('?', anchor(walkRows)),
    // Its values only fill the hash the walk probes.
    valuesAsKeys(filterRows),
  );
}

/** Comparison operators on the column: byte order (`~<~`) for text indexed with text_pattern_ops. */
function comparison(ordered: OrderedColumn): (symbol: '<' | '>' | '<=' | '>=') => string {
  return (symbol) => (ordered.pattern ? `~${symbol}~` : symbol);
}

/** `ORDER BY` terms for the key and the id, walking down or up. */
function orderTerms(ordered: OrderedColumn, down: boolean): (key: string, id: string) => string {
  const op = comparison(ordered);
  return (key, id) => `${key} ${ordered.pattern ? `USING ${op(down ? '>' : '<')}` : down ? 'DESC' : 'ASC'}, ${id} ${down ? 'DESC' : 'ASC'}`;
}

/** The keyset condition: rows after the cursor's key and id (`AND ...`). */
function afterCursor(ordered: OrderedColumn, column: string, down: boolean, cursor: SearchCursor): Sql {
  const op = comparison(ordered);
  const after = down ? '<' : '>';
  return sql(
    ` AND ${column} ${op(down ? '<=' : '>=')} ?::${ordered.cast} AND (${column} ${op(after)} ?::${ordered.cast} OR x.resource_id ${after} ?)`,
    key(cursor.keys[0]),
    key(cursor.keys[0]),
    key(cursor.keys[1]),
  );
}

function missingQuery(
  ordered: OrderedColumn,
  rule: SortRule,
  where: Sql,
  columns: string,
  reverse: boolean,
  cursor: SearchCursor | undefined,
): Sql {
  // Among resources without the key, ids follow the direction of the sort.
  const down = rule.descending !== reverse;
  const keyRows = ordered.keyRow ? compose(' AND {}', ordered.keyRow('y')) : sql('');
  const keyset = cursor ? sql(` AND r.id ${down ? '<' : '>'} ?`, key(cursor.keys[1])) : sql('');
  return compose(
    `SELECT ${columns}, NULL::text AS k0, r.id AS k1 FROM resource r
     WHERE {} AND NOT EXISTS (SELECT 1 FROM ${ordered.table} y WHERE y.resource_type = r.resource_type AND y.resource_id = r.id AND {}{}){}
     ORDER BY r.id ${down ? 'DESC' : 'ASC'}
     LIMIT ?`,
    where,
    parameterRowTest('y', rule.code),
    keyRows,
    keyset,
  );
}
