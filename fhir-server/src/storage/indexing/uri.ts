import type { TypedValue } from '@medplum/core';
import type { UriRow } from './index-rows';
import { limitIndexedText } from './indexed-text';

/** Uri index rows (search.html#uri): uri, url, canonical, oid and uuid values as written. */
export function addUriRows(out: UriRow[], param: string, values: readonly TypedValue[], grp?: number): void {
  for (const { value } of values) {
    if (typeof value === 'string' && value) {
      const row: UriRow = { param, value: limitIndexedText(value), grp };
      if (!out.some((e) => e.param === param && e.value === row.value && e.grp === grp)) {
        out.push(row);
      }
    }
  }
}
