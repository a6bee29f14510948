import type { SqlExecutor } from '../sql-executor';
import { compose, sql, type Sql } from './sql-fragment';

/**
 * Capped counts of the index rows a filter matches, for choices PostgreSQL's statistics get
 * wrong: its sample cannot tell that a code is common among one type's rows (it estimated 1 row
 * for a specialty 1,042 of 20,000 roles hold). Cached per filter value for a minute.
 */

/** Below this many matches, looking up each match's other index rows costs little anyway. */
export const MIN_MATCHES = 100;
/** Above this many, hashing the matches costs more than it saves. */
export const MAX_MATCHES = 5_000;
const COUNT_TTL_MS = 60_000;
const MAX_CACHED_COUNTS = 2_000;

/** How many of `rows` (`sp_<type> d WHERE ...`) there are, counted up to `MAX_MATCHES + 1`. */
export function countProbe(rows: Sql): Sql {
  return compose('SELECT count(*)::int AS n FROM (SELECT 1 FROM {} LIMIT {}) s', rows, sql('?', MAX_MATCHES + 1));
}

const cachedCounts = new WeakMap<SqlExecutor, Map<string, { n: number; at: number }>>();

/** The probe's count, from a per-pool cache of recent answers when it has one. */
export async function matchCount(db: SqlExecutor, probe: Sql): Promise<number> {
  let counts = cachedCounts.get(db);
  if (!counts) {
    counts = new Map();
    cachedCounts.set(db, counts);
  }
  const key = JSON.stringify([probe.text, probe.bindings]);
  const cached = counts.get(key);
  if (cached && Date.now() - cached.at < COUNT_TTL_MS) {
    return cached.n;
  }
  const { rows } = await db.raw<{ n: number }>(probe.text, [...probe.bindings], { prepare: true });
  counts.delete(key);
  if (counts.size >= MAX_CACHED_COUNTS) {
    counts.delete(counts.keys().next().value as string);
  }
  counts.set(key, { n: rows[0].n, at: Date.now() });
  return rows[0].n;
}
