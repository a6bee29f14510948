import { normalizeString } from '../indexing/indexed-text';
import { soundex } from '../indexing/soundex';
import type { ParameterFilter, SearchValue } from '../search-query';
import { anchor, escapeLike, key, or, sql, type Sql } from './sql-fragment';

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
      return sql(`${x}.value = ? AND ${x}.raw = ?`, anchor(normalized), key(value.value));
    case 'contains':
      return sql(`${x}.value LIKE ?`, `%${escapeLike(normalized)}%`);
    default:
      return startsWith(x, normalized);
  }
}

/**
 * The prefix's range of the index (`text_pattern_ops` compares bytes, so UTF-8 strings in code
 * point order) spelled out: PostgreSQL derives it from `LIKE 'abc%'` itself, but not from a
 * parameter, which a statement planned once for all values has (generic-plan.ts).
 */
function startsWith(x: string, prefix: string): Sql {
  const pattern = `${escapeLike(prefix)}%`;
  const last = prefix.codePointAt(prefix.length - 1);
  if (last === undefined || last >= 0xd7ff) {
    return sql(`${x}.value LIKE ?`, pattern);
  }
  const upper = prefix.slice(0, -1) + String.fromCodePoint(last + 1);
  return sql(`${x}.value ~>=~ ? AND ${x}.value ~<~ ? AND ${x}.value LIKE ?`, anchor(prefix), anchor(upper), key(pattern));
}
