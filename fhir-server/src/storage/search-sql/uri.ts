import { limitIndexedText } from '../indexing/indexed-text';
import type { ParameterFilter, SearchValue } from '../search-query';
import { escapeLike, sql, type Sql } from './sql-fragment';

/**
 * One uri value against an `sp_uri` row (search.html#uri): exact by default; `:below` finds
 * uris that start with the value, `:above` those the value starts with at a `/` boundary.
 */
export function uriCondition(x: string, filter: ParameterFilter, value: SearchValue): Sql {
  const uri = limitIndexedText(value.value);
  if (filter.modifier === 'below') {
    return sql(`${x}.value LIKE ?`, `${escapeLike(uri)}%`);
  }
  if (filter.modifier === 'above') {
    return sql(`${x}.value = ANY(?::text[])`, prefixesOf(uri));
  }
  return sql(`${x}.value = ?`, uri);
}

/** `http://a/b/c` -> `http://a/b/c`, `http://a/b`, `http://a` (never shorter than the scheme). */
function prefixesOf(uri: string): string[] {
  const prefixes = [uri];
  const schemeEnd = uri.indexOf('://') >= 0 ? uri.indexOf('://') + 3 : 0;
  for (let i = uri.length - 1; i > schemeEnd; i--) {
    if (uri[i] === '/') {
      prefixes.push(uri.slice(0, i));
    }
  }
  return prefixes;
}
