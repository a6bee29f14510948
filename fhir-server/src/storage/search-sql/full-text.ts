import { allWordsQuery, wordsOf } from '../indexing/full-text';
import type { SearchValue } from '../search-query';
import { sql, type Sql } from './sql-fragment';

/** `_content` / `_text` (search.html#content): the document (alias `x`) holds every word of the value. */
export function fullTextCondition(x: string, value: SearchValue): Sql {
  return sql(`${x}.doc @@ ?::tsquery`, allWordsQuery(wordsOf(value.value)));
}
