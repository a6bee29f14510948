import type { SearchValue } from '../search-query';
import { InvalidSearchError } from '../storage-errors';
import { sql, type Sql } from './sql-fragment';

const DECIMAL = /^-?\d+(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A search number and its implicit precision (search.html#number): `100` stands for
 * [99.5, 100.5), `100.00` for [99.995, 100.005), `1e2` for [50, 150).
 */
export interface SearchNumber {
  /** The value as written (a valid numeric literal). */
  readonly value: string;
  /** Half a unit of the last significant digit, as a numeric literal. */
  readonly halfUnit: string;
  /** Multiplies value and precision (unit conversion); a numeric literal. */
  readonly factor?: string;
}

export function parseSearchNumber(text: string): SearchNumber {
  const match = DECIMAL.exec(text);
  if (!match || text.length > 40) {
    throw new InvalidSearchError(`"${text}" is not a valid number`);
  }
  const decimals = match[1]?.length ?? 0;
  const exponent = Number(match[2] ?? 0);
  return { value: text, halfUnit: `5e${exponent - decimals - 1}` };
}

/**
 * A number against stored `low`/`high` columns (a Range or a single value with low = high):
 * eq/ne within/outside the value's precision, the ordered prefixes against the exact value,
 * ap within 10%.
 */
export function numberCondition(low: string, high: string, prefix: string | undefined, number: SearchNumber): Sql {
  const factor = number.factor ?? '1';
  const v = `(?::numeric * ?::numeric)`;
  const value = [number.value, factor];
  switch (prefix ?? 'eq') {
    case 'eq':
      return sql(`${low} >= ${v} - ${v} AND ${high} < ${v} + ${v}`, ...value, number.halfUnit, factor, ...value, number.halfUnit, factor);
    case 'ne':
      return sql(
        `NOT (${low} >= ${v} - ${v} AND ${high} < ${v} + ${v})`,
        ...value,
        number.halfUnit,
        factor,
        ...value,
        number.halfUnit,
        factor,
      );
    case 'gt':
      return sql(`${high} > ${v}`, ...value);
    case 'lt':
      return sql(`${low} < ${v}`, ...value);
    case 'ge':
      return sql(`${high} >= ${v}`, ...value);
    case 'le':
      return sql(`${low} <= ${v}`, ...value);
    case 'sa':
      return sql(`${low} > ${v}`, ...value);
    case 'eb':
      return sql(`${high} < ${v}`, ...value);
    case 'ap':
      return sql(`${low} <= ${v} + abs(${v}) * 0.1 AND ${high} >= ${v} - abs(${v}) * 0.1`, ...value, ...value, ...value, ...value);
    default:
      throw new InvalidSearchError(`Unknown prefix ${prefix}`);
  }
}

export function numberSearchCondition(x: string, value: SearchValue): Sql {
  return numberCondition(`${x}.low`, `${x}.high`, value.prefix, parseSearchNumber(value.value));
}
