import { normalizeString } from '../indexing/indexed-text';
import { soundex } from '../indexing/soundex';
import type { ParameterFilter, SearchValue } from '../search-query';
import { escapeLike, or, sql, type Sql } from './sql-fragment';

/**
 * One string value against an `sp_string` row (search.html#string): starts-with by default,
 * `:exact` (case and accents count), `:contains`; all on the normalised column's index.
 */
export function stringCondition(x: string, filter: ParameterFilter, value: SearchValue): Sql {
  const normalized = normalizeString(value.value);
  if (filter.phonetic) {
    const codes = normalized.split(' ').map(soundex).filter(Boolean);
    return or(codes.map((code) => sql(`${x}.value = ?`, code)));
  }
  switch (filter.modifier) {
    case 'exact':
      return sql(`${x}.value = ? AND ${x}.raw = ?`, normalized, value.value);
    case 'contains':
      return sql(`${x}.value LIKE ?`, `%${escapeLike(normalized)}%`);
    default:
      return sql(`${x}.value LIKE ?`, `${escapeLike(normalized)}%`);
  }
}
