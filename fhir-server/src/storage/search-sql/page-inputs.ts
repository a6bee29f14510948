import type { SearchFilter } from '../search-query';
import { VERSION_COLUMNS } from '../version-row';
import type { SearchCursor } from './search-cursor';
import type { SortKey } from './sort';
import type { Sql, Target } from './sql-fragment';

export const RESULT_COLUMNS = VERSION_COLUMNS.split(', ');

/**
 * What each way of choosing a search's page (pages-*.ts, index-order.ts) starts from; built
 * once by compileSearch (builder.ts). Page queries read the resource row as `r`.
 */
export interface PageInputs {
  readonly types: readonly string[];
  /** The resource row `r` as the subject of filter conditions. */
  readonly target: Target;
  /** The conditions that are not filters: type, not deleted, compartment, the caller's access. */
  readonly conditions: readonly Sql[];
  /** The search's filters, occurrences of a single-valued parameter merged. */
  readonly filters: readonly SearchFilter[];
  /** Every condition and filter, on `r`. */
  readonly where: Sql;
  /** The sort keys of `r`, the tie-breaking type and id included. */
  readonly keys: readonly SortKey[];
  /** The same keys for the resource whose `resource_type` and `id` are columns of `alias`. */
  readonly sortKeys: (alias: string) => SortKey[];
  readonly cursor?: SearchCursor;
  /** `r`'s result columns, as selected by every page query. */
  readonly columns: string;
  /**
   * Every condition is one on the resource's id, which any index row of the resource carries
   * (no access filter, compartment or `_lastUpdated`; one type): a deleted resource has none.
   */
  readonly onIdOnly: boolean;
  /**
   * With `onIdOnly`, the first filter answered by one index table's rows (`d`): the page's ids
   * can be taken from them, the other filters tested on `d.resource_id` (`others`).
   */
  readonly driver?: { readonly rows: Sql; readonly others: (idBound?: (column: string) => Sql) => Sql[] };
}

/** Whether the search pages backwards (a `prev` cursor). */
export function pagesBackwards(inputs: PageInputs): boolean {
  return inputs.cursor?.direction === 'p';
}
