import type { ParameterFilter, SearchFilter, SearchQuery, SortRule } from '../search-query';
import { typeTest } from './chain';
import { filterCondition, matchingRows, valuesCondition } from './filter';
import { filteredWalk, type FilteredWalk } from './filtered-walk';
import { indexOrderedSegments, onSortParameter } from './index-order';
import type { PageInputs } from './page-inputs';
import { and, type Sql } from './sql-fragment';

/**
 * A search sorted by one parameter, answered by walking that parameter's index in order
 * (index-order.ts), with the filtered walk (filtered-walk.ts) to try first where it applies.
 */
export function indexOrderedPages(inputs: PageInputs, query: SearchQuery): { pages: Sql[]; walk?: FilteredWalk } {
  const { types, target, conditions, filters, where, onIdOnly, columns, cursor } = inputs;
  const rule: SortRule = query.sort[0];
  // Filters on the sort parameter are tested on the walked row itself when it is the
  // resource's only row of that parameter (a second look-up of the same row otherwise).
  const onKeyRow = (f: SearchFilter): f is ParameterFilter => !!(rule.singleValue || rule.singleInstant) && onSortParameter(rule, f);
  const keyRowTests = filters.filter(onKeyRow).map((f) => valuesCondition('x', f));
  const others = filters.filter((f) => !onKeyRow(f));
  const values = onIdOnly
    ? and([
        typeTest('x.resource_type', types),
        ...others.map((f) =>
          filterCondition({ id: 'x.resource_id', type: 'x.resource_type', types, next: target.next, visible: target.visible }, f),
        ),
        ...keyRowTests,
      ])
    : and([...conditions, ...others.map((f) => filterCondition(target, f)), ...keyRowTests]);
  return {
    pages: indexOrderedSegments(rule, { values, missing: where, late: onIdOnly }, columns, cursor, query.filters),
    walk: onIdOnly ? filteredWalk(rule, types[0], filters, (f) => matchingRows(target, f, 'd'), columns, cursor) : undefined,
  };
}
