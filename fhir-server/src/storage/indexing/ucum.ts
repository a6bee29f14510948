export const UCUM = 'http://unitsofmeasure.org';

/**
 * A quantity in canonical UCUM units, so `5 mg` is found by `0.005||g` and `5000 ug`
 * (search.html#quantity: servers may convert units). Covers metric prefixes on g, m, L, s,
 * mol and eq, common time and US customary units, and ratios of two of those (`mg/dL`).
 */
export interface CanonicalQuantity {
  readonly value: number;
  readonly unit: string;
}

interface Unit {
  readonly factor: number;
  readonly unit: string;
}

const BASE_UNITS: Record<string, Unit> = {
  g: { factor: 1, unit: 'g' },
  m: { factor: 1, unit: 'm' },
  L: { factor: 1, unit: 'L' },
  l: { factor: 1, unit: 'L' },
  s: { factor: 1, unit: 's' },
  mol: { factor: 1, unit: 'mol' },
  eq: { factor: 1, unit: 'eq' },
};

const OTHER_UNITS: Record<string, Unit> = {
  min: { factor: 60, unit: 's' },
  h: { factor: 3600, unit: 's' },
  d: { factor: 86_400, unit: 's' },
  wk: { factor: 604_800, unit: 's' },
  mo: { factor: 2_629_800, unit: 's' },
  a: { factor: 31_557_600, unit: 's' },
  '[lb_av]': { factor: 453.59237, unit: 'g' },
  '[oz_av]': { factor: 28.349523125, unit: 'g' },
  '[in_i]': { factor: 0.0254, unit: 'm' },
  '[ft_i]': { factor: 0.3048, unit: 'm' },
};

const PREFIXES: Record<string, number> = { k: 1e3, d: 1e-1, c: 1e-2, m: 1e-3, u: 1e-6, n: 1e-9, p: 1e-12 };

/** The canonical form, or undefined for units outside the table (the quantity is then matched as written). */
export function toCanonical(value: number, code: string): CanonicalQuantity | undefined {
  const unit = parseUnit(code);
  return unit ? { value: Number((value * unit.factor).toPrecision(15)), unit: unit.unit } : undefined;
}

function parseUnit(code: string): Unit | undefined {
  const slash = code.indexOf('/');
  if (slash > 0 && slash === code.lastIndexOf('/')) {
    const numerator = parseSimpleUnit(code.slice(0, slash));
    const denominator = parseSimpleUnit(code.slice(slash + 1));
    return numerator && denominator
      ? { factor: numerator.factor / denominator.factor, unit: `${numerator.unit}/${denominator.unit}` }
      : undefined;
  }
  return parseSimpleUnit(code);
}

function parseSimpleUnit(code: string): Unit | undefined {
  const unit = BASE_UNITS[code] ?? OTHER_UNITS[code];
  if (unit) {
    return unit;
  }
  const prefix = PREFIXES[code[0]];
  const base = BASE_UNITS[code.slice(1)];
  return prefix && base ? { factor: prefix * base.factor, unit: base.unit } : undefined;
}
