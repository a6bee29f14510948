import type { Page } from '../fhir-repository';
import type { AccessContext } from '../../auth/access-context';
import type { SearchQuery } from '../search-query';
import { PREPARED_GENERIC, type SqlExecutor } from '../sql-executor';
import { InvalidSearchError } from '../storage-errors';
import { toStoredVersion, type VersionRow } from '../version-row';
import { compileSearch, type CompiledSearch } from './builder';
import { walkRowsFor } from './filtered-walk';
import { genericPlanStatement } from './generic-plan';
import { matchCount } from './match-counts';
import { encodeSearchCursor } from './search-cursor';
import { rolesOf, type Sql } from './sql-fragment';

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
    // Counts of the token filters' matches may choose pages with hashes (index-row-driver.ts).
    const pages = (await compiled.hashed?.pages((probe) => matchCount(db, probe))) ?? compiled.pages;
    for (const page of pages) {
      const wanted = query.count + 1 - fetched.length;
      if (wanted <= 0) {
        break;
      }
      fetched.push(...(await runPage(db, page, wanted)));
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
  const rows = await runPage(db, page, query.count + 1);
  // A page the walk did not fill may have matches beyond the rows it walked.
  return rows.length > query.count ? rows : [];
}

/** A page query with its `LIMIT ?` bound, planned once per connection where that is safe. */
async function runPage(db: SqlExecutor, page: Sql, limit: number): Promise<PageRow[]> {
  const limited: Sql = { text: page.text, bindings: [...page.bindings, limit], roles: [...rolesOf(page), 'key'] };
  const generic = genericPlanStatement(limited);
  const statement = generic ?? limited;
  return (await db.raw<PageRow>(statement.text, statement.bindings, generic ? PREPARED_GENERIC : { prepare: true })).rows;
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
