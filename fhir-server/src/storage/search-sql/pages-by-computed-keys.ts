import { pagesBackwards, RESULT_COLUMNS, type PageInputs } from './page-inputs';
import { keysetCondition, orderTerm, toKeyColumn } from './sort';
import { rowsMatchingAll } from './index-row-driver';
import { compose, sql, type Sql } from './sql-fragment';

/**
 * Keys computed from index rows for the ids the filters match (`PageInputs.driver`), and only
 * the page's resource rows read: the resource row of every match (e.g. the ~1,000 roles of a
 * specialty, of which ~100 pass the other filters) is never fetched to be sorted.
 */
export function computedKeyPagesFromIndexRows(inputs: PageInputs, driver: NonNullable<PageInputs['driver']>): Sql[] {
  const { columns, cursor } = inputs;
  const reverse = pagesBackwards(inputs);
  const idKeys = inputs.sortKeys('i');
  const keyed = (alias: string) => idKeys.map((k, i) => ({ ...toKeyColumn(k), column: `${alias}.s${i}` }));
  const order = (alias: string) =>
    keyed(alias)
      .map((k) => orderTerm(k, reverse))
      .join(', ');
  return [
    compose(
      `SELECT ${columns}, ${keyed('p')
        .map((k, i) => `${k.column}::text AS k${i}`)
        .join(', ')} FROM (
         SELECT m.* FROM (
           SELECT i.resource_type, i.id, ${idKeys.map((_, i) => `{} AS s${i}`).join(', ')}
           FROM (SELECT DISTINCT d.resource_type, d.resource_id AS id FROM {}) i) m
         WHERE {} ORDER BY ${order('m')} LIMIT ?) p
       JOIN resource r ON r.resource_type = p.resource_type AND r.id = p.id
       WHERE NOT r.deleted
       ORDER BY ${order('p')}`,
      ...idKeys.map((k) => k.expression),
      rowsMatchingAll(driver),
      cursor ? keysetCondition(keyed('m'), cursor.keys, reverse) : sql('TRUE'),
    ),
  ];
}

/** Keys computed per matching resource row in a derived table, then filtered and ordered by name. */
export function computedKeyPages(inputs: PageInputs): Sql[] {
  const { keys, cursor, where, columns } = inputs;
  const reverse = pagesBackwards(inputs);
  const keyColumns = keys.map((k, i) => ({ ...toKeyColumn(k), column: `m.s${i}` }));
  const inner = compose(
    `SELECT ${columns}, ${keys.map((_, i) => `{} AS s${i}`).join(', ')} FROM resource r WHERE {}`,
    ...keys.map((k) => k.expression),
    where,
  );
  return [
    compose(
      `SELECT ${RESULT_COLUMNS.map((c) => `m.${c}`).join(', ')}, ${keyColumns.map((k, i) => `${k.column}::text AS k${i}`).join(', ')}
       FROM ({}) m WHERE {} ORDER BY ${keyColumns.map((k) => orderTerm(k, reverse)).join(', ')} LIMIT ?`,
      inner,
      cursor ? keysetCondition(keyColumns, cursor.keys, reverse) : sql('TRUE'),
    ),
  ];
}
