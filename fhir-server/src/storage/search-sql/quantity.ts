import { limitIndexedText } from '../indexing/indexed-text';
import { UCUM_CANONICAL } from '../indexing/quantity';
import { toCanonical, UCUM } from '../indexing/ucum';
import type { SearchValue } from '../search-query';
import { numberCondition, parseSearchNumber, type SearchNumber } from './number';
import { and, concat, literal, or, sql, type Sql } from './sql-fragment';

/**
 * One quantity value against an `sp_quantity` row (search.html#quantity):
 * `[prefix]number|system|code`, `number||code` (code or unit), or a bare number (any unit).
 * UCUM units that convert are compared in canonical units, so `5000|http://unitsofmeasure.org|ug`
 * finds `5 mg`.
 */
export function quantityCondition(x: string, value: SearchValue): Sql {
  const [numberText, system = '', code = ''] = value.parts ?? [value.value];
  const number = parseSearchNumber(numberText);
  if (!code) {
    const systemCondition = system ? sql(`${x}.system = ?`, limitIndexedText(system)) : asWrittenRow(x);
    return and([compare(x, value, number), systemCondition]);
  }
  const canonical = system === '' || system === UCUM ? canonicalCondition(x, value, number, code) : undefined;
  const asWritten = and([
    compare(x, value, number),
    system
      ? sql(`${x}.system = ? AND ${x}.code = ?`, limitIndexedText(system), limitIndexedText(code))
      : concat(sql(`(${x}.code = ? OR ${x}.unit = ?) AND `, code, code), asWrittenRow(x)),
  ]);
  if (!canonical) {
    return asWritten;
  }
  return system === UCUM ? canonical : or([canonical, asWritten]);
}

/** `sp_quantity` rows of quantities as written, not the canonical UCUM copy stored beside them. */
export function asWrittenRow(x: string): Sql {
  return sql(`${x}.system IS DISTINCT FROM ?`, literal(UCUM_CANONICAL));
}

function canonicalCondition(x: string, value: SearchValue, number: SearchNumber, code: string): Sql | undefined {
  const unit = toCanonical(1, code);
  if (!unit) {
    return undefined;
  }
  const converted: SearchNumber = { ...number, factor: String(unit.value) };
  return and([compare(x, value, converted), sql(`${x}.system = ? AND ${x}.code = ?`, literal(UCUM_CANONICAL), unit.unit)]);
}

function compare(x: string, value: SearchValue, number: SearchNumber): Sql {
  return numberCondition(`${x}.low`, `${x}.high`, value.prefix, number);
}
