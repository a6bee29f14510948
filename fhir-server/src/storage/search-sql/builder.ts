import type { AccessContext } from '../../auth/access-context';
import { appendReadFilter } from '../access-filter';
import type { Page } from '../fhir-repository';
import { decodeCursor, encodeCursor } from '../page-cursor';
import type { SearchQuery } from '../search-query';
import type { SqlExecutor } from '../sql-executor';
import { toStoredVersion, VERSION_COLUMNS, type VersionRow } from '../version-row';

/** Compiles and runs a search: current, non-deleted resources matching every filter. */
export async function runSearch(db: SqlExecutor, query: SearchQuery, access?: AccessContext): Promise<Page> {
  const where: string[] = ['resource_type = ANY(?)', 'NOT deleted'];
  const bindings: unknown[] = [query.resourceTypes as string[]];
  for (const filter of query.filters) {
    if (filter.code === '_id') {
      where.push('id = ANY(?)');
      bindings.push(filter.values.map((v) => v.value));
    }
  }
  appendReadFilter(where, bindings, access, query.resourceTypes);
  const countBindings = [...bindings];
  if (query.cursor) {
    const [type, id] = decodeCursor(query.cursor, 2);
    where.push('(resource_type, id) > (?, ?)');
    bindings.push(String(type), String(id));
  }
  const whereSql = where.join(' AND ');
  const result = await db.raw(`SELECT ${VERSION_COLUMNS} FROM resource WHERE ${whereSql} ORDER BY resource_type, id LIMIT ?`, [
    ...bindings,
    query.count + 1,
  ]);
  const rows = result.rows as VersionRow[];
  const pageRows = rows.slice(0, query.count);
  const last = pageRows[pageRows.length - 1];
  let total: number | undefined;
  if (query.total === 'accurate') {
    const counted = await db.raw(
      `SELECT count(*)::int AS n FROM resource WHERE ${where.slice(0, where.length - (query.cursor ? 1 : 0)).join(' AND ')}`,
      countBindings,
    );
    total = counted.rows[0].n;
  }
  return {
    entries: pageRows.map(toStoredVersion),
    nextCursor: rows.length > query.count && last ? encodeCursor([last.resource_type, last.id]) : undefined,
    total,
  };
}
