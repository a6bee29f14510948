import {
  addDays,
  dayIn,
  dayLabel,
  parseLocalDate,
  rangeLabel,
  rangeOf,
  startOfDayIn,
  startOfWeek,
  step,
  timeIn,
  zoneOffset,
} from './calendar-dates';

const HOUR = 3_600_000;

describe('calendar dates', () => {
  it('accepts real calendar dates only', () => {
    expect(parseLocalDate('2026-02-28')).toBe('2026-02-28');
    expect(parseLocalDate('2026-02-29')).toBeUndefined();
    expect(parseLocalDate('2028-02-29')).toBe('2028-02-29');
    expect(parseLocalDate('2026-13-01')).toBeUndefined();
    expect(parseLocalDate('1 Dec 2026')).toBeUndefined();
    expect(parseLocalDate(null)).toBeUndefined();
  });

  it('adds days across months and years, and finds the Monday of a week', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(startOfWeek('2026-11-25')).toBe('2026-11-23'); // a Wednesday
    expect(startOfWeek('2026-11-29')).toBe('2026-11-23'); // a Sunday belongs to the week before
    expect(startOfWeek('2026-11-30')).toBe('2026-11-30'); // a Monday
    expect(step('week', '2026-11-25', 1)).toBe('2026-12-02');
    expect(step('day', '2026-11-25', -1)).toBe('2026-11-24');
  });

  it('knows the zone offset on both sides of a daylight-saving change', () => {
    expect(zoneOffset(Date.parse('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toBe(HOUR);
    expect(zoneOffset(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(2 * HOUR);
    expect(zoneOffset(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York')).toBe(-4 * HOUR);
    expect(zoneOffset(Date.parse('2026-07-01T12:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(zoneOffset(Date.parse('2026-07-01T12:00:00Z'), 'UTC')).toBe(0);
  });

  it('starts a day at local midnight in the zone, not the browser', () => {
    expect(startOfDayIn('2026-12-01', 'Europe/Berlin').toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(startOfDayIn('2026-12-01', 'America/Los_Angeles').toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(startOfDayIn('2026-12-01', 'Pacific/Auckland').toISOString()).toBe('2026-11-30T11:00:00.000Z');
    expect(startOfDayIn('2026-12-01', 'UTC').toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('starts a day whose midnight is skipped when the clock jumps (Santiago springs forward at 00:00)', () => {
    const start = startOfDayIn('2026-09-06', 'America/Santiago');
    expect(dayIn(start, 'America/Santiago')).toBe('2026-09-06');
    expect(timeIn(start.toISOString(), 'America/Santiago')).toBe('01:00');
    expect(dayIn(new Date(start.getTime() - 1), 'America/Santiago')).toBe('2026-09-05');
  });

  it('gives the spring-forward week 167 hours and its Sunday 23 (Europe/Berlin)', () => {
    const week = rangeOf('week', '2026-03-26', 'Europe/Berlin');
    expect(week.days).toEqual(['2026-03-23', '2026-03-24', '2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29']);
    expect(week.start.toISOString()).toBe('2026-03-22T23:00:00.000Z');
    expect(week.end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect((week.end.getTime() - week.start.getTime()) / HOUR).toBe(167);
    const sunday = rangeOf('day', '2026-03-29', 'Europe/Berlin');
    expect((sunday.end.getTime() - sunday.start.getTime()) / HOUR).toBe(23);
  });

  it('gives the fall-back week 169 hours (America/New_York, 1 November 2026)', () => {
    const week = rangeOf('week', '2026-11-01', 'America/New_York');
    expect(week.days[0]).toBe('2026-10-26');
    expect((week.end.getTime() - week.start.getTime()) / HOUR).toBe(169);
    const sunday = rangeOf('day', '2026-11-01', 'America/New_York');
    expect(sunday.start.toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(sunday.end.toISOString()).toBe('2026-11-02T05:00:00.000Z');
  });

  it('places an instant on its day and time in the zone', () => {
    // 23:30 UTC on 30 November is already 1 December in Berlin, still 30 November in New York.
    expect(dayIn('2026-11-30T23:30:00Z', 'Europe/Berlin')).toBe('2026-12-01');
    expect(dayIn('2026-11-30T23:30:00Z', 'America/New_York')).toBe('2026-11-30');
    expect(timeIn('2026-11-30T23:30:00Z', 'Europe/Berlin')).toBe('00:30');
    expect(timeIn('2026-11-30T23:30:00Z', 'America/New_York')).toBe('18:30');
  });

  it('labels days and ranges', () => {
    expect(dayLabel('2026-12-01')).toBe('Tuesday 1 December');
    expect(dayLabel('2026-12-01', 'short')).toBe('Tue 1 Dec');
    expect(rangeLabel('day', '2026-12-01')).toBe('Tuesday 1 December 2026');
    expect(rangeLabel('week', '2026-12-01')).toMatch(/^30 Nov\s*[–-]\s*6 Dec 2026$/);
  });
});
