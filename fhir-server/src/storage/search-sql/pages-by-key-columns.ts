import { filterCondition } from './filter';
import { pagesBackwards, type PageInputs } from './page-inputs';
import { keysetCondition, orderTerm, toKeyColumn } from './sort';
import { and, compose, key, sql, type Sql } from './sql-fragment';

/** A search whose sort keys are all columns of the resource row (`_id`, `_lastUpdated`, the type). */
export function keyColumnPages(inputs: PageInputs): Sql[] {
  const { keys, cursor, where, filters, conditions, target, columns } = inputs;
  const reverse = pagesBackwards(inputs);
  const keyColumns = keys.map((k) => ({ ...toKeyColumn(k), column: k.expression.text }));
  let pageWhere = cursor ? and([where, keysetCondition(keyColumns, cursor.keys, reverse)]) : where;
  if (cursor && keys.length === 1 && keys[0].expression.text === 'r.id') {
    // Ordered by id alone: each filter's index rows start at the cursor too (the planner does
    // not carry `r.id > ?` over to the ids the filters' index scans yield).
    const after = keys[0].descending !== reverse ? '<' : '>';
    const idBound = (column: string) => sql(`${column} ${after} ?::text`, key(cursor.keys[0]));
    const bounded = filters.map((f) => filterCondition({ ...target, idBound }, f));
    pageWhere = and([...conditions, ...bounded, keysetCondition(keyColumns, cursor.keys, reverse)]);
  }
  return [
    compose(
      `SELECT ${columns}, ${keyColumns.map((k, i) => `${k.column}::text AS k${i}`).join(', ')}
       FROM resource r WHERE {} ORDER BY ${keyColumns.map((k) => orderTerm(k, reverse)).join(', ')} LIMIT ?`,
      pageWhere,
    ),
  ];
}
