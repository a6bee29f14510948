import type { ParameterFilter, SearchFilter, SearchQuery, SortRule } from '../search-query';
import { typeTest } from './chain';
import { filterCondition, matchingRows, valuesCondition } from './filter';
import { filteredWalk, type FilteredWalk } from './filtered-walk';
import { indexOrderedSegments, onSortParameter } from './index-order';
import { driverOf, hashedFilters, rowsMatchingAll, type HashChoice, type HashedFilters } from './index-row-driver';
import type { PageInputs } from './page-inputs';
import { and, compose, type Sql } from './sql-fragment';

/**
 * A search sorted by one parameter, answered by walking that parameter's index in order
 * (index-order.ts), with the filtered walk (filtered-walk.ts) to try first where it applies,
 * or token filters tested against hashes of their matches where counts favour it
 * (index-row-driver.ts).
 */
export function indexOrderedPages(inputs: PageInputs, query: SearchQuery): { pages: Sql[]; walk?: FilteredWalk; hashed?: HashedFilters } {
  const { types, target, conditions, filters, where, onIdOnly, columns, cursor } = inputs;
  const rule: SortRule = query.sort[0];
  // Filters on the sort parameter are tested on the walked row itself when it is the
  // resource's only row of that parameter (a second look-up of the same row otherwise).
  const onKeyRow = (f: SearchFilter): f is ParameterFilter => !!(rule.singleValue || rule.singleInstant) && onSortParameter(rule, f);
  const keyRowTests = filters.filter(onKeyRow).map((f) => valuesCondition('x', f));
  const others = filters.filter((f) => !onKeyRow(f));
  const onWalkedRow = { id: 'x.resource_id', type: 'x.resource_type', types, next: target.next, visible: target.visible };
  const pagesWith = (choice?: HashChoice) => {
    // With hashes chosen, the driver's rows are tested against them before any key row is looked up.
    const driver = choice && driverOf(target, others, choice);
    const values = !onIdOnly
      ? and([...conditions, ...others.map((f) => filterCondition(target, f)), ...keyRowTests])
      : and([
          typeTest('x.resource_type', types),
          ...(driver
            ? [compose('x.resource_id IN (SELECT d.resource_id FROM {})', rowsMatchingAll(driver))]
            : others.map((f) => filterCondition(onWalkedRow, f))),
          ...keyRowTests,
        ]);
    return indexOrderedSegments(rule, { values, missing: where, late: onIdOnly }, columns, cursor, query.filters);
  };
  return {
    pages: pagesWith(),
    walk: onIdOnly ? filteredWalk(rule, types[0], filters, (f) => matchingRows(target, f, 'd'), columns, cursor) : undefined,
    hashed: onIdOnly ? hashedFilters(target, others, pagesWith) : undefined,
  };
}
