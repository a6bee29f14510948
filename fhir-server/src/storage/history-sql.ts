import type { AccessContext } from '../auth/access-context';
import { versionReadFilter } from './access-filter';
import type { HistoryQuery, Page, WriteMethod } from './fhir-repository';
import type { SqlExecutor } from './sql-executor';
import { decodeCursor, encodeCursor } from './page-cursor';
import { toStoredVersion, versionColumnsOf, type VersionRow } from './version-row';

/**
 * History newest first (http://hl7.org/fhir/R4/http.html#history), paged by the history
 * sequence number so a page never repeats or skips a version while writes go on. A caller
 * with restricted access sees a version only if it may see it and the resource as it is now
 * (versionReadFilter), so the current row is joined.
 */
export async function historyPage(db: SqlExecutor, query: HistoryQuery, access?: AccessContext): Promise<Page> {
  const where: string[] = [];
  const bindings: unknown[] = [];
  if (query.resourceType) {
    where.push('h.resource_type = ?');
    bindings.push(query.resourceType);
  }
  if (query.id) {
    where.push('h.id = ?');
    bindings.push(query.id);
  }
  if (query.since) {
    where.push('h.last_updated > ?');
    bindings.push(query.since);
  }
  if (query.at) {
    where.push('h.last_updated <= ?');
    bindings.push(query.at);
  }
  const filter = access && versionReadFilter(access, query.resourceType ? [query.resourceType] : undefined, 'h', 'c');
  if (filter) {
    where.push(filter.sql);
    bindings.push(...filter.bindings);
  }
  if (query.cursor) {
    const [seq] = decodeCursor(query.cursor, 1);
    if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) {
      decodeCursor('', 1);
    }
    where.push('h.seq < ?');
    bindings.push(seq as string);
  }
  const from = filter ? 'resource_history h JOIN resource c ON c.resource_type = h.resource_type AND c.id = h.id' : 'resource_history h';
  const sql = `SELECT h.seq, h.method, ${versionColumnsOf('h')} FROM ${from}
    ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
    ORDER BY h.seq DESC LIMIT ?`;
  const result = await db.raw(sql, [...bindings, query.count + 1], { prepare: true });
  const rows = result.rows as (VersionRow & { seq: string | number; method: WriteMethod })[];
  const pageRows = rows.slice(0, query.count);
  const last = pageRows[pageRows.length - 1];
  return {
    entries: pageRows.map((row) => ({ ...toStoredVersion(row), method: row.method })),
    nextCursor: rows.length > query.count && last ? encodeCursor([String(last.seq)]) : undefined,
  };
}
