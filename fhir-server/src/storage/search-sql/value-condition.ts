import type { ParameterFilter, SearchValue } from '../search-query';
import { InvalidSearchError } from '../storage-errors';
import { dateCondition } from './date';
import { fullTextCondition } from './full-text';
import { numberSearchCondition } from './number';
import { quantityCondition } from './quantity';
import { referenceCondition } from './reference';
import type { Sql } from './sql-fragment';
import { stringCondition } from './string';
import { tokenCondition } from './token';
import { uriCondition } from './uri';

/** One value of a parameter against a row (alias `x`) of that parameter type's index table. */
export function valueCondition(x: string, filter: ParameterFilter, value: SearchValue): Sql {
  switch (filter.type) {
    case 'string':
      return stringCondition(x, filter, value);
    case 'token':
      return tokenCondition(x, filter, value);
    case 'date':
      return dateCondition({ low: `${x}.low`, high: `${x}.high` }, value);
    case 'number':
      return numberSearchCondition(x, value);
    case 'quantity':
      return quantityCondition(x, value);
    case 'reference':
      return referenceCondition(x, filter, value);
    case 'uri':
      return uriCondition(x, filter, value);
    case 'text':
      return fullTextCondition(x, value);
    default:
      throw new InvalidSearchError(`Parameter ${filter.code} of type ${filter.type} cannot be searched by value`);
  }
}
