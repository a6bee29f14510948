import type { TypedValue } from '@medplum/core';
import type { Money, Quantity, Range } from '@medplum/fhirtypes';
import type { QuantityRow } from './index-rows';
import { limitIndexedText } from './indexed-text';
import { toCanonical, UCUM } from './ucum';

/** System of the extra row holding a UCUM quantity in canonical units (never a real code system). */
export const UCUM_CANONICAL = 'urn:medbuddy:ucum-canonical';
export const ISO_4217 = 'urn:iso:std:iso:4217';

/**
 * Quantity index rows (search.html#quantity): the value with system, code and unit as
 * written, plus a canonical-unit row for UCUM quantities so that searches in other units of
 * the same dimension match. A Range is one row from its low to its high value.
 */
export function addQuantityRows(out: QuantityRow[], param: string, values: readonly TypedValue[], grp?: number): void {
  for (const { type, value } of values) {
    if (typeof value === 'number' && Number.isFinite(value)) {
      push(out, { param, low: value, high: value, system: null, code: null, unit: null, grp });
    } else if (value && typeof value === 'object') {
      if (type === 'Range') {
        addRange(out, param, value as Range, grp);
      } else if (type === 'Money') {
        const money = value as Money;
        if (typeof money.value === 'number') {
          push(out, { param, low: money.value, high: money.value, system: ISO_4217, code: money.currency ?? null, unit: null, grp });
        }
      } else {
        const quantity = value as Quantity;
        if (typeof quantity.value === 'number') {
          addQuantity(out, param, quantity, quantity.value, quantity.value, grp);
        }
      }
    }
  }
}

function addRange(out: QuantityRow[], param: string, range: Range, grp: number | undefined): void {
  const low = range.low?.value;
  const high = range.high?.value;
  if (low === undefined && high === undefined) {
    return;
  }
  addQuantity(out, param, range.low ?? range.high ?? {}, low ?? -1e300, high ?? 1e300, grp);
}

function addQuantity(out: QuantityRow[], param: string, unitOf: Quantity, low: number, high: number, grp: number | undefined): void {
  const system = unitOf.system ? limitIndexedText(unitOf.system) : null;
  const code = unitOf.code ? limitIndexedText(unitOf.code) : null;
  const unit = unitOf.unit ? limitIndexedText(unitOf.unit) : null;
  push(out, { param, low, high, system, code, unit, grp });
  if (system === UCUM && code) {
    const canonicalLow = toCanonical(low, code);
    const canonicalHigh = toCanonical(high, code);
    if (canonicalLow && canonicalHigh) {
      push(out, {
        param,
        low: canonicalLow.value,
        high: canonicalHigh.value,
        system: UCUM_CANONICAL,
        code: canonicalLow.unit,
        unit: null,
        grp,
      });
    }
  }
}

function push(out: QuantityRow[], row: QuantityRow): void {
  // A value near the limit of a double can overflow on conversion to canonical units (1e308 mg in g).
  if (!Number.isFinite(row.low) || !Number.isFinite(row.high)) {
    return;
  }
  for (const e of out) {
    if (
      e.param === row.param &&
      e.low === row.low &&
      e.high === row.high &&
      e.system === row.system &&
      e.code === row.code &&
      e.unit === row.unit &&
      e.grp === row.grp
    ) {
      return;
    }
  }
  out.push(row);
}
