import { toCanonical } from './ucum';

describe('UCUM canonical units (search.html#quantity: servers may match in canonical units)', () => {
  test.each([
    [5, 'mg', 0.005, 'g'],
    [5000, 'ug', 0.005, 'g'],
    [2, 'kg', 2000, 'g'],
    [1, '[lb_av]', 453.59237, 'g'],
    [30, 'min', 1800, 's'],
    [2, 'h', 7200, 's'],
    [150, 'cm', 1.5, 'm'],
    [100, 'mg/dL', 1, 'g/L'],
    [5, 'mmol/L', 0.005, 'mol/L'],
  ])('%s %s = %s %s', (value, code, canonical, unit) => {
    expect(toCanonical(value, code)).toEqual({ value: canonical, unit });
  });

  test('units outside the table are left as written', () => {
    expect(toCanonical(120, 'mm[Hg]')).toBeUndefined();
    expect(toCanonical(1, '%')).toBeUndefined();
    expect(toCanonical(1, 'a/b/c')).toBeUndefined();
  });
});
