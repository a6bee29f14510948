import { compose, and, key, sql, type Sql } from './sql-fragment';
import { pagesBackwards, type PageInputs } from './page-inputs';

/**
 * A search ordered by id alone whose filters are all on the id (`PageInputs.driver`): the
 * page's ids are chosen from the index rows of one filter (the planner may still start from
 * another), in id order from the cursor on, and only their resource rows are read.
 */
export function idOrderedPages(inputs: PageInputs, driver: NonNullable<PageInputs['driver']>): Sql[] {
  const { keys, cursor, columns } = inputs;
  const down = keys[0].descending !== pagesBackwards(inputs);
  const idBound = cursor ? (column: string) => sql(`${column} ${down ? '<' : '>'} ?::text`, key(cursor.keys[0])) : undefined;
  const rest = [...driver.others(idBound), ...(idBound ? [idBound('d.resource_id')] : [])];
  const direction = down ? 'DESC' : 'ASC';
  return [
    compose(
      `SELECT ${columns}, r.id::text AS k0 FROM (
         SELECT DISTINCT d.resource_type, d.resource_id FROM {}{}
         ORDER BY d.resource_id ${direction}
         LIMIT ?) p
       JOIN resource r ON r.resource_type = p.resource_type AND r.id = p.resource_id
       WHERE NOT r.deleted
       ORDER BY r.id ${direction}`,
      driver.rows,
      rest.length > 0 ? compose(' AND {}', and(rest)) : sql(''),
    ),
  ];
}
