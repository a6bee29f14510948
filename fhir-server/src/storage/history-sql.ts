import type { AccessContext } from '../auth/access-context';
import { appendReadFilter } from './access-filter';
import type { HistoryQuery, Page } from './fhir-repository';
import type { SqlExecutor } from './sql-executor';
import { decodeCursor, encodeCursor } from './page-cursor';
import { toStoredVersion, VERSION_COLUMNS, type VersionRow } from './version-row';

/**
 * History newest first (http://hl7.org/fhir/R4/http.html#history), paged by the history
 * sequence number so a page never repeats or skips a version while writes go on.
 */
export async function historyPage(db: SqlExecutor, query: HistoryQuery, access?: AccessContext): Promise<Page> {
  const where: string[] = [];
  const bindings: unknown[] = [];
  if (query.resourceType) {
    where.push('resource_type = ?');
    bindings.push(query.resourceType);
  }
  if (query.id) {
    where.push('id = ?');
    bindings.push(query.id);
  }
  if (query.since) {
    where.push('last_updated > ?');
    bindings.push(query.since);
  }
  if (query.at) {
    where.push('last_updated <= ?');
    bindings.push(query.at);
  }
  appendReadFilter(where, bindings, access, query.resourceType ? [query.resourceType] : undefined);
  if (query.cursor) {
    const [seq] = decodeCursor(query.cursor, 1);
    if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) {
      decodeCursor('', 1);
    }
    where.push('seq < ?');
    bindings.push(seq as string);
  }
  const sql = `SELECT seq, ${VERSION_COLUMNS} FROM resource_history
    ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
    ORDER BY seq DESC LIMIT ?`;
  const result = await db.raw(sql, [...bindings, query.count + 1]);
  const rows = result.rows as (VersionRow & { seq: string | number })[];
  const pageRows = rows.slice(0, query.count);
  const last = pageRows[pageRows.length - 1];
  return {
    entries: pageRows.map(toStoredVersion),
    nextCursor: rows.length > query.count && last ? encodeCursor([String(last.seq)]) : undefined,
  };
}
