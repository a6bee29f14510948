import { parseDateRange, toTimestamp } from '../indexing/date-range';
import type { SearchValue } from '../search-query';
import { InvalidSearchError } from '../storage-errors';
import { key, sql, type Sql } from './sql-fragment';

/** The columns holding the inclusive range of instants a stored value covers. */
export interface DateColumns {
  readonly low: string;
  readonly high: string;
}

const DAY = 86_400_000;

/**
 * One date value against a stored range (search.html#prefix): the search value is a range
 * too (`2024-03` is all of March), and each prefix compares the two ranges as the spec
 * says: eq = the search range contains the stored one, ne = it does not, gt/lt = the stored
 * range reaches above/below the search range, ge/le = gt/lt or eq, sa/eb = it starts
 * after/ends before the search range, ap = it overlaps the search range widened by 10% of
 * the distance from now (at least a day).
 */
export function dateCondition(columns: DateColumns, value: SearchValue, now = Date.now()): Sql {
  const range = parseDateRange(value.value);
  if (!range) {
    throw new InvalidSearchError(`"${value.value}" is not a valid date`);
  }
  const { low, high } = columns;
  const sl = toTimestamp(range.low);
  const sh = toTimestamp(range.high);
  switch (value.prefix ?? 'eq') {
    case 'eq':
      return sql(`${low} >= ?::timestamptz AND ${high} <= ?::timestamptz`, key(sl), key(sh));
    case 'ne':
      return sql(`NOT (${low} >= ?::timestamptz AND ${high} <= ?::timestamptz)`, key(sl), key(sh));
    case 'gt':
      return sql(`${high} > ?::timestamptz`, key(sh));
    case 'lt':
      return sql(`${low} < ?::timestamptz`, key(sl));
    case 'ge':
      return sql(`${high} > ?::timestamptz OR (${low} >= ?::timestamptz AND ${high} <= ?::timestamptz)`, key(sh), key(sl), key(sh));
    case 'le':
      return sql(`${low} < ?::timestamptz OR (${low} >= ?::timestamptz AND ${high} <= ?::timestamptz)`, key(sl), key(sl), key(sh));
    case 'sa':
      return sql(`${low} > ?::timestamptz`, key(sh));
    case 'eb':
      return sql(`${high} < ?::timestamptz`, key(sl));
    case 'ap': {
      const margin = Math.max(DAY, Math.abs(now - (range.low + range.high) / 2) * 0.1);
      return sql(
        `${low} <= ?::timestamptz AND ${high} >= ?::timestamptz`,
        key(toTimestamp(range.high + margin)),
        key(toTimestamp(range.low - margin)),
      );
    }
    default:
      throw new InvalidSearchError(`Unknown prefix ${value.prefix}`);
  }
}

/**
 * A bound on one column (low or high) of an instant's index row that every match of the value
 * satisfies, as a range an index on that column can answer (`c <= ?` rather than an OR); the
 * exact test stays with the caller. An instant is stored as the range it covers, under a second
 * wide (`09:00:00Z` is 09:00:00.000-09:00:00.999), so the bound reaches one second further out
 * than the value: a search to the millisecond (`gt09:00:00.500Z`) then cannot lose an instant
 * stored to the second. Undefined for the prefixes that are no range (ne, ap).
 */
export function instantCondition(column: string, value: SearchValue): Sql | undefined {
  const range = parseDateRange(value.value);
  if (!range) {
    return undefined;
  }
  const sl = toTimestamp(range.low);
  const sh = toTimestamp(range.high);
  const below = `?::timestamptz - interval '1 second'`;
  const above = `?::timestamptz + interval '1 second'`;
  switch (value.prefix ?? 'eq') {
    case 'eq':
      return sql(`${column} >= ${below} AND ${column} <= ${above}`, key(sl), key(sh));
    case 'lt':
    case 'eb':
      return sql(`${column} < ${above}`, key(sl));
    case 'le':
      return sql(`${column} <= ${above}`, key(sh));
    case 'gt':
    case 'sa':
      return sql(`${column} > ${below}`, key(sh));
    case 'ge':
      return sql(`${column} >= ${below}`, key(sl));
    default:
      return undefined;
  }
}
