import { parseDateRange, toTimestamp } from './date-range';

const range = (text: string) => {
  const parsed = parseDateRange(text);
  return parsed && [toTimestamp(parsed.low), toTimestamp(parsed.high)];
};

describe('date values as ranges (search.html#date: the precision of a date implies a range)', () => {
  test.each([
    ['2024', '2024-01-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z'],
    ['2023-02', '2023-02-01T00:00:00.000Z', '2023-02-28T23:59:59.999Z'],
    ['2024-03-15', '2024-03-15T00:00:00.000Z', '2024-03-15T23:59:59.999Z'],
    ['2024-03-15T10:30Z', '2024-03-15T10:30:00.000Z', '2024-03-15T10:30:59.999Z'],
    ['2024-03-15T10:30:05Z', '2024-03-15T10:30:05.000Z', '2024-03-15T10:30:05.999Z'],
    ['2024-03-15T10:30:05.25Z', '2024-03-15T10:30:05.250Z', '2024-03-15T10:30:05.259Z'],
    ['2024-03-15T10:30:05.123456Z', '2024-03-15T10:30:05.123Z', '2024-03-15T10:30:05.123Z'],
    ['2024-03-15T10:30:00+02:00', '2024-03-15T08:30:00.000Z', '2024-03-15T08:30:00.999Z'],
    ['2024-03-15T10:30:00-05:30', '2024-03-15T16:00:00.000Z', '2024-03-15T16:00:00.999Z'],
    ['2024-03-15T10:30:00', '2024-03-15T10:30:00.000Z', '2024-03-15T10:30:00.999Z'],
    ['0001', '0001-01-01T00:00:00.000Z', '0001-12-31T23:59:59.999Z'],
    ['9999-12-31', '9999-12-31T00:00:00.000Z', '9999-12-31T23:59:59.999Z'],
  ])('%s covers %s .. %s', (text, low, high) => {
    expect(range(text)).toEqual([low, high]);
  });

  test.each([
    '2021-02-29',
    '2024-13',
    '2024-00-10',
    '2024-04-31',
    '2024-01-01T24:00Z',
    '2024-01-01T10:60Z',
    '2024-01-01T10:00+15:00',
    '0000',
    '24',
    '2024-1-1',
    'today',
    '2024-01-01T10Z',
    '',
  ])('impossible or malformed date %p is refused', (text) => {
    expect(parseDateRange(text)).toBeUndefined();
  });

  test('open ends are PostgreSQL infinities', () => {
    expect([toTimestamp(Number.NEGATIVE_INFINITY), toTimestamp(Number.POSITIVE_INFINITY)]).toEqual(['-infinity', 'infinity']);
  });
});
