import type { TypedValue } from '@medplum/core';
import type { Quantity, Range } from '@medplum/fhirtypes';
import type { NumberRow } from './index-rows';

/** Number index rows: integers and decimals as they are; a Range from its low to its high value. */
export function addNumberRows(out: NumberRow[], param: string, values: readonly TypedValue[], grp?: number): void {
  for (const { type, value } of values) {
    if (typeof value === 'number' && Number.isFinite(value)) {
      push(out, { param, low: value, high: value, grp });
    } else if (value && typeof value === 'object') {
      if (type === 'Range') {
        const range = value as Range;
        if (range.low?.value !== undefined || range.high?.value !== undefined) {
          push(out, { param, low: range.low?.value ?? -1e300, high: range.high?.value ?? 1e300, grp });
        }
      } else if (typeof (value as Quantity).value === 'number') {
        const number = (value as Quantity).value as number;
        push(out, { param, low: number, high: number, grp });
      }
    }
  }
}

function push(out: NumberRow[], row: NumberRow): void {
  if (!Number.isFinite(row.low) || !Number.isFinite(row.high)) {
    return;
  }
  for (const existing of out) {
    if (existing.param === row.param && existing.low === row.low && existing.high === row.high && existing.grp === row.grp) {
      return;
    }
  }
  out.push(row);
}
