import type { TypedValue } from '@medplum/core';
import type { Period, Timing } from '@medplum/fhirtypes';
import { parseDateRange, toTimestamp } from './date-range';
import type { DateRow } from './index-rows';

/**
 * Date index rows: the range each date, dateTime, instant, Period or Timing covers
 * (search.html#date). A Period without an end is open to the future, without a start to the past.
 */
export function addDateRows(out: DateRow[], param: string, values: readonly TypedValue[], grp?: number): void {
  for (const { type, value } of values) {
    if (typeof value === 'string') {
      const range = parseDateRange(value);
      if (range) {
        push(out, param, range.low, range.high, grp);
      }
    } else if (value && typeof value === 'object') {
      if (type === 'Period') {
        addPeriod(out, param, value as Period, grp);
      } else if (type === 'Timing') {
        addTiming(out, param, value as Timing, grp);
      }
    }
  }
}

function addPeriod(out: DateRow[], param: string, period: Period, grp: number | undefined): void {
  const start = period.start ? parseDateRange(period.start) : undefined;
  const end = period.end ? parseDateRange(period.end) : undefined;
  if (start || end) {
    push(out, param, start?.low ?? Number.NEGATIVE_INFINITY, end?.high ?? Number.POSITIVE_INFINITY, grp);
  }
}

function addTiming(out: DateRow[], param: string, timing: Timing, grp: number | undefined): void {
  for (const event of timing.event ?? []) {
    const range = parseDateRange(event);
    if (range) {
      push(out, param, range.low, range.high, grp);
    }
  }
  if (timing.repeat?.boundsPeriod) {
    addPeriod(out, param, timing.repeat.boundsPeriod, grp);
  }
}

function push(out: DateRow[], param: string, low: number, high: number, grp: number | undefined): void {
  const row: DateRow = { param, low: toTimestamp(low), high: toTimestamp(high), grp };
  for (const existing of out) {
    if (existing.param === param && existing.low === row.low && existing.high === row.high && existing.grp === grp) {
      return;
    }
  }
  out.push(row);
}
