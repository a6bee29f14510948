import { limitIndexedText, normalizeString } from '../indexing/indexed-text';
import type { ParameterFilter, SearchValue } from '../search-query';
import { escapeLike, literal, sql, type Sql } from './sql-fragment';

/**
 * One token value against an `sp_token` row (search.html#token): `code`, `system|code`,
 * `|code` (no system), `system|` (any code of the system), and `:text` on the display/text
 * (starts-with of any word). `:not` is the caller's negation of this condition.
 */
export function tokenCondition(x: string, filter: ParameterFilter, value: SearchValue): Sql {
  if (filter.modifier === 'text') {
    const text = escapeLike(normalizeString(value.value));
    return sql(`${x}.display LIKE ? OR ${x}.display LIKE ?`, `${text}%`, `% ${text}%`);
  }
  if (!value.parts) {
    // A code of a required value set is one of few: the plan may be made for it (generic-plan.ts).
    const code = filter.boundCodes?.has(value.value) ? literal(value.value) : limitIndexedText(value.value);
    return sql(`${x}.code = ?`, code);
  }
  const [system, code] = value.parts.map(limitIndexedText);
  if (system === '') {
    return sql(`${x}.system IS NULL AND ${x}.code = ?`, code);
  }
  if (code === '') {
    return sql(`${x}.system = ?`, system);
  }
  return sql(`${x}.code = ? AND ${x}.system = ?`, code, system);
}
