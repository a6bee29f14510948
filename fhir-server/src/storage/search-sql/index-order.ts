import { UCUM_CANONICAL } from '../indexing/quantity';
import type { ParameterFilter, SearchFilter, SortRule } from '../search-query';
import { instantCondition } from './date';
import type { SearchCursor } from './search-cursor';
import { and, compose, sql, type Sql } from './sql-fragment';

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
  reference: { table: 'sp_reference', column: () => 'url', pattern: false, cast: 'text' },
  date: { table: 'sp_date', column: (d) => (d ? 'high' : 'low'), pattern: false, cast: 'timestamptz' },
  number: { table: 'sp_number', column: (d) => (d ? 'high' : 'low'), pattern: false, cast: 'numeric' },
  quantity: {
    table: 'sp_quantity',
    column: (d) => (d ? 'high' : 'low'),
    pattern: false,
    cast: 'numeric',
    keyRow: (a) => sql(`${a}.system IS DISTINCT FROM ?`, UCUM_CANONICAL),
  },
};

/** Whether a search's sort is one parameter key this module can answer from the index. */
export function isIndexOrdered(rules: readonly SortRule[], types: readonly string[]): boolean {
  const [rule] = rules;
  return (
    rules.length === 1 && types.length === 1 && !rule.chain && rule.code !== '_id' && rule.code !== '_lastUpdated' && !!ORDERED[rule.type]
  );
}

/**
 * The queries of one page, run in order until the page is full, each ending in `LIMIT ?`
 * (the runner binds how many rows are still wanted): the resources with a key value, then
 * those without, or the reverse when paging backwards. Rows carry `k0` (key as text, null when
 * absent) and `k1` (id) for the cursors. `indexWhere`, when given, is the search's condition on
 * the index row's `x.resource_type` and `x.resource_id` alone (no condition needs the resource
 * row): the page is then chosen before any resource row is read.
 */
export function indexOrderedSegments(
  rule: SortRule,
  where: Sql,
  columns: string,
  cursor: SearchCursor | undefined,
  filters: readonly SearchFilter[] = [],
  indexWhere?: Sql,
): Sql[] {
  const ordered = ORDERED[rule.type];
  const reverse = cursor?.direction === 'p';
  const bounds = keyBounds(rule, filters, `x.${ordered.column(rule.descending)}`);
  const valuesWhere = indexWhere ?? where;
  const withValues = (keyset: boolean) =>
    valuesQuery(
      ordered,
      rule,
      bounds ? and([valuesWhere, bounds]) : valuesWhere,
      columns,
      reverse,
      keyset ? cursor : undefined,
      indexWhere !== undefined,
    );
  const withoutValues = (keyset: boolean) => missingQuery(ordered, rule, where, columns, reverse, keyset ? cursor : undefined);
  const cursorOnMissing = cursor !== undefined && cursor.keys[0] === null;
  if (!reverse) {
    return cursorOnMissing ? [withoutValues(true)] : [withValues(cursor !== undefined), withoutValues(false)];
  }
  return cursorOnMissing ? [withoutValues(true), withValues(false)] : [withValues(true)];
}

/**
 * For a parameter with at most one instant per resource, the walked row is the resource's only
 * value, so the search's own filters on that parameter bound the walk (the first page of a week
 * 55 days back no longer walks every newer row). They stay in `where` as well.
 */
function keyBounds(rule: SortRule, filters: readonly SearchFilter[], column: string): Sql | undefined {
  if (!rule.singleInstant) {
    return undefined;
  }
  const bounds = filters
    .filter((f): f is ParameterFilter => f.kind !== 'chain' && f.kind !== 'has')
    .filter((f) => f.code === rule.code && !f.modifier && f.values.length === 1)
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
  const op = (symbol: '<' | '>' | '<=' | '>=') => (ordered.pattern ? `~${symbol}~` : symbol);
  const after = down ? '<' : '>';
  const keyRows = (alias: string) => (ordered.keyRow ? compose(' AND {}', ordered.keyRow(alias)) : sql(''));
  const keyset = cursor
    ? sql(
        ` AND x.${column} ${op(down ? '<=' : '>=')} ?::${ordered.cast} AND (x.${column} ${op(after)} ?::${ordered.cast} OR x.resource_id ${after} ?)`,
        cursor.keys[0],
        cursor.keys[0],
        cursor.keys[1],
      )
    : sql('');
  // The key of a resource is its lowest value for an ascending sort, its highest for a descending one:
  // the row no other row of the resource beats. A parameter with one row per resource needs no test.
  const better = rule.descending ? op('>') : op('<');
  const lowest =
    rule.singleValue || rule.singleInstant
      ? sql('')
      : compose(
          `
       AND NOT EXISTS (SELECT 1 FROM ${ordered.table} y WHERE y.resource_type = x.resource_type AND y.resource_id = x.resource_id
         AND y.param = x.param{} AND (y.${column} ${better} x.${column} OR (y.${column} = x.${column} AND y.ctid < x.ctid)))`,
          keyRows('y'),
        );
  const order = (key: string, id: string) =>
    `${key} ${ordered.pattern ? `USING ${op(down ? '>' : '<')}` : down ? 'DESC' : 'ASC'}, ${id} ${down ? 'DESC' : 'ASC'}`;
  if (late) {
    // The page is chosen from index rows alone; only its resources' rows are read.
    return compose(
      `SELECT ${columns}, p.k0::text AS k0, p.k1 FROM (
         SELECT x.resource_type, x.resource_id AS k1, x.${column} AS k0 FROM ${ordered.table} x
         WHERE x.param = {}{}{}
           AND {}{}
         ORDER BY ${order(`x.${column}`, 'x.resource_id')}
         LIMIT ?) p
       JOIN resource r ON r.resource_type = p.resource_type AND r.id = p.k1
       WHERE NOT r.deleted
       ORDER BY ${order('p.k0', 'p.k1')}`,
      sql('?', rule.code),
      keyRows('x'),
      lowest,
      where,
      keyset,
    );
  }
  return compose(
    `SELECT ${columns}, x.${column}::text AS k0, x.resource_id AS k1
     FROM ${ordered.table} x JOIN resource r ON r.resource_type = x.resource_type AND r.id = x.resource_id
     WHERE x.resource_type = r.resource_type AND x.param = {}{}{}
       AND {}{}
     ORDER BY ${order(`x.${column}`, 'x.resource_id')}
     LIMIT ?`,
    sql('?', rule.code),
    keyRows('x'),
    lowest,
    where,
    keyset,
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
  const keyset = cursor ? sql(` AND r.id ${down ? '<' : '>'} ?`, cursor.keys[1]) : sql('');
  return compose(
    `SELECT ${columns}, NULL::text AS k0, r.id AS k1 FROM resource r
     WHERE {} AND NOT EXISTS (SELECT 1 FROM ${ordered.table} y WHERE y.resource_type = r.resource_type AND y.resource_id = r.id AND y.param = {}{}){}
     ORDER BY r.id ${down ? 'DESC' : 'ASC'}
     LIMIT ?`,
    where,
    sql('?', rule.code),
    keyRows,
    keyset,
  );
}
