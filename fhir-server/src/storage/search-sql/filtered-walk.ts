import type { SearchFilter, SortRule } from '../search-query';
import { filteredWalkPage } from './index-order';
import type { SearchCursor } from './search-cursor';
import { countProbe, MAX_MATCHES, MIN_MATCHES } from './match-counts';
import type { Sql } from './sql-fragment';

/**
 * `PractitionerRole?specialty=X&_sort=date`: one token filter, sorted by a parameter with one
 * index row per resource. PostgreSQL's statistics cannot tell that a code is common among one
 * type's rows (match-counts.ts), so it looks up the sort key of every match (~4 buffers each)
 * and sorts them. Walking the sort index in order against a hash of the matching ids reads a
 * few dozen buffers instead, as long as the matches are many enough for the walk to be short and
 * few enough for the hash. A capped count of the matches decides; the walk is bounded, and a
 * page it does not fill is answered by the usual queries, so the choice never changes the results.
 */
export interface FilteredWalk {
  /** How many index rows the filter matches, counted up to `MAX_MATCHES + 1`. */
  readonly probe: Sql;
  /** The page from a walk of at most `walkRows` index rows; ends in `LIMIT ?` (rows wanted). */
  readonly page: (walkRows: number) => Sql;
}

/**
 * Walking an index row costs about a twentieth of looking up a match's key: a walk of this many
 * rows per match costs at most what the usual plan would, so a walk that fails at most doubles it.
 */
const WALK_ROWS_PER_MATCH = 20;

/** The walk for this search, when its shape allows one (forward pages only). */
export function filteredWalk(
  rule: SortRule,
  type: string,
  filters: readonly SearchFilter[],
  filterRows: (filter: SearchFilter) => Sql | undefined,
  columns: string,
  cursor: SearchCursor | undefined,
): FilteredWalk | undefined {
  const [filter] = filters;
  const keyed = rule.singleValue || rule.singleInstant;
  if (
    !keyed ||
    filters.length !== 1 ||
    filter.kind === 'chain' ||
    filter.kind === 'has' ||
    filter.type !== 'token' ||
    filter.modifier ||
    filter.code === rule.code ||
    cursor?.direction === 'p' ||
    cursor?.keys[0] === null
  ) {
    return undefined;
  }
  const rows = filterRows(filter);
  if (!rows) {
    return undefined;
  }
  return {
    probe: countProbe(rows),
    page: (walkRows) => filteredWalkPage(rule, type, rows, columns, cursor, walkRows),
  };
}

/** How many index rows to walk for a filter with this many matches, or undefined: do not walk. */
export function walkRowsFor(matches: number): number | undefined {
  return matches >= MIN_MATCHES && matches <= MAX_MATCHES ? matches * WALK_ROWS_PER_MATCH : undefined;
}
