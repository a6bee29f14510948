import type { SortRule } from '../search-query';
import { InvalidSearchError } from '../storage-errors';
import { typeTest } from './chain';
import { parameterRowTest } from './reference-param';
import { asWrittenRow } from './quantity';
import { and, compose, concat, key, or, sql, type Sql, type VisibleRows } from './sql-fragment';

/**
 * A sort key of the resource row `r` (search.html#sort): a column, or the lowest value of a
 * parameter for ascending and the highest for descending order (the spec's rule for
 * repeating elements), with `cast` the SQL type its cursor value is bound as.
 */
export interface SortKey {
  readonly expression: Sql;
  readonly cast: 'text' | 'timestamptz' | 'numeric';
  readonly descending: boolean;
  /** A resource column (never null), as opposed to a parameter value (null when absent). */
  readonly column: boolean;
}

/** String and uri keys compare bytewise (C collation), the order of their text_pattern_ops indexes. */
const KEY_COLUMNS: Record<string, { value: (descending: boolean) => string; cast: SortKey['cast'] }> = {
  string: { value: () => 'value COLLATE "C"', cast: 'text' },
  token: { value: () => 'code', cast: 'text' },
  reference: { value: () => 'url', cast: 'text' },
  uri: { value: () => 'value COLLATE "C"', cast: 'text' },
  date: { value: (descending) => (descending ? 'high' : 'low'), cast: 'timestamptz' },
  number: { value: (descending) => (descending ? 'high' : 'low'), cast: 'numeric' },
  quantity: { value: (descending) => (descending ? 'high' : 'low'), cast: 'numeric' },
};

/**
 * `visible` (the caller's read filter) applies to a chained key: the value of a referenced
 * resource the caller may not see counts as absent, or the order would tell it.
 */
export function sortKey(rule: SortRule, r: string, visible?: VisibleRows): SortKey {
  if (rule.code === '_id' && !rule.chain) {
    return { expression: sql(`${r}.id`), cast: 'text', descending: rule.descending, column: true };
  }
  if (rule.code === '_lastUpdated' && !rule.chain) {
    return { expression: sql(`${r}.last_updated`), cast: 'timestamptz', descending: rule.descending, column: true };
  }
  const column = KEY_COLUMNS[rule.type];
  if (!column) {
    throw new InvalidSearchError(`Cannot sort by ${rule.code} (a ${rule.type} parameter)`);
  }
  const aggregate = `${rule.descending ? 'max' : 'min'}(k.${column.value(rule.descending)})`;
  const unitFilter = rule.type === 'quantity' ? compose(' AND {}', asWrittenRow('k')) : sql('');
  if (!rule.chain) {
    return {
      expression: concat(
        sql(`(SELECT ${aggregate} FROM sp_${rule.type} k WHERE k.resource_type = ${r}.resource_type AND k.resource_id = ${r}.id AND `),
        parameterRowTest('k', rule.code, rule.derived),
        unitFilter,
        sql(')'),
      ),
      cast: column.cast,
      descending: rule.descending,
      column: false,
    };
  }
  const types = typeTest('kr.target_type', rule.chain.targetTypes);
  const visibleTarget = visible?.(rule.chain.targetTypes);
  const targetRow = visibleTarget
    ? concat(sql(' JOIN resource kt ON kt.resource_type = kr.target_type AND kt.id = kr.target_id AND '), visibleTarget('kt'))
    : sql('');
  return {
    expression: concat(
      sql(
        `(SELECT ${aggregate} FROM sp_reference kr JOIN sp_${rule.type} k ON k.resource_type = kr.target_type AND k.resource_id = kr.target_id AND k.param = ?`,
        rule.code,
      ),
      targetRow,
      sql(`
          WHERE kr.resource_type = ${r}.resource_type AND kr.resource_id = ${r}.id AND `),
      parameterRowTest('kr', rule.chain.code, rule.chain.derived),
      sql(' AND '),
      types,
      unitFilter,
      sql(')'),
    ),
    cast: column.cast,
    descending: rule.descending,
    column: false,
  };
}

/** A key as the page query sees it: an SQL expression over the row, or an output column. */
export interface KeyColumn {
  readonly column: string;
  readonly cast: SortKey['cast'];
  readonly descending: boolean;
  readonly nullable: boolean;
}

/** The key as a cursor column: its expression's text, nullable unless it is a resource column. */
export function toKeyColumn(key: SortKey): KeyColumn {
  return { column: key.expression.text, cast: key.cast, descending: key.descending, nullable: !key.column };
}

/**
 * An `ORDER BY` term: nulls (resources without the value) last in either direction. Columns
 * that are never null keep the default null placement, so an index can serve the order.
 */
export function orderTerm(key: KeyColumn, reverse: boolean): string {
  const down = key.descending !== reverse;
  if (!key.nullable) {
    return `${key.column} ${down ? 'DESC' : 'ASC'}`;
  }
  return `${key.column} ${down ? 'DESC' : 'ASC'} NULLS ${reverse ? 'FIRST' : 'LAST'}`;
}

/**
 * The keyset condition "comes after (or, reversed, before) the row with these key values"
 * in the sort order, where the columns are the keys in order with the id last. Cursor values
 * are bound as text and cast; null means the row had no value for that key.
 */
export function keysetCondition(keys: readonly KeyColumn[], values: readonly (string | null)[], reverse: boolean): Sql {
  if (keys.every((k) => !k.nullable && k.descending === keys[0].descending)) {
    // One row comparison, which a B-tree index on the same columns answers directly.
    const down = keys[0].descending !== reverse;
    return sql(
      `(${keys.map((k) => k.column).join(', ')}) ${down ? '<' : '>'} (${keys.map((k) => `?::${k.cast}`).join(', ')})`,
      ...values.map(key),
    );
  }
  const alternatives: Sql[] = [];
  for (let i = 0; i < keys.length; i++) {
    const equalBefore = keys.slice(0, i).map((k, j) => equal(k.column, k.cast, values[j]));
    const strict = beyond(keys[i], values[i], reverse);
    if (strict) {
      alternatives.push(and([...equalBefore, strict]));
    }
  }
  return or(alternatives);
}

function equal(column: string, cast: string, value: string | null): Sql {
  return value === null ? sql(`${column} IS NULL`) : sql(`${column} = ?::${cast}`, key(value));
}

/** Strictly after (before, when reversed) `value` in the order of this key, nulls last. */
function beyond(sortKey: KeyColumn, value: string | null, reverse: boolean): Sql | undefined {
  const { column, cast, descending, nullable } = sortKey;
  if (!reverse) {
    if (value === null) {
      return undefined;
    }
    const after = `${column} ${descending ? '<' : '>'} ?::${cast}`;
    return sql(nullable ? `${after} OR ${column} IS NULL` : after, key(value));
  }
  if (value === null) {
    return sql(`${column} IS NOT NULL`);
  }
  return sql(`${column} ${descending ? '>' : '<'} ?::${cast}`, key(value));
}
