/**
 * Calendar days in the doctor's time zone, with the browser's Intl API (no date library in the
 * portal): a day is a civil date `YYYY-MM-DD`; its bounds are the instants of local midnight
 * in the zone, so a day is 23 or 25 hours long across a daylight-saving change.
 */

export type CalendarView = 'day' | 'week';

/** The instants a view covers, `[start, end)`, and its days in order. */
export interface CalendarRange {
  readonly start: Date;
  readonly end: Date;
  readonly days: readonly string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** `2026-03-29` when `value` is a real calendar date in that form, else undefined. */
export function parseLocalDate(value: string | null | undefined): string | undefined {
  const match = DATE.exec(value ?? '');
  if (!match) {
    return undefined;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? (value as string) : undefined;
}

/** The civil date `days` after (or before) `date`. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The Monday of the ISO week `date` is in. */
export function startOfWeek(date: string): string {
  const weekday = civil(date).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/** The calendar day of an instant in `zone` (`2026-12-01`). */
export function dayIn(instant: Date | string, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone }).format(new Date(instant));
}

/** How far `zone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
export function zoneOffset(instant: number, zone: string): number {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]));
  const wall = Date.UTC(parts['year'], parts['month'] - 1, parts['day'], parts['hour'], parts['minute'], parts['second']);
  return wall - (instant - (instant % 1000));
}

/**
 * The first instant of `date` in `zone`: local midnight, or where midnight does not exist (a
 * zone that springs forward at 00:00) the first local time after the gap.
 */
export function startOfDayIn(date: string, zone: string): Date {
  const wallMidnight = civil(date).getTime();
  const first = wallMidnight - zoneOffset(wallMidnight, zone);
  // The offset at the first guess may differ from the one at midnight (a change in between).
  const second = wallMidnight - zoneOffset(first, zone);
  const onTheDay = [first, second].filter((instant) => dayIn(new Date(instant), zone) === date);
  return new Date(Math.min(...(onTheDay.length > 0 ? onTheDay : [first])));
}

/** The instants and days a day view (that day) or week view (its Monday to Sunday) covers. */
export function rangeOf(view: CalendarView, date: string, zone: string): CalendarRange {
  const first = view === 'week' ? startOfWeek(date) : date;
  const count = view === 'week' ? 7 : 1;
  const days = Array.from({ length: count }, (_, i) => addDays(first, i));
  return { start: startOfDayIn(first, zone), end: startOfDayIn(addDays(first, count), zone), days };
}

/** The date a step back or forward lands on: a day or a week. */
export function step(view: CalendarView, date: string, direction: -1 | 1): string {
  return addDays(date, direction * (view === 'week' ? 7 : 1));
}

/** `09:30` on the 24-hour clock in `zone`. */
export function timeIn(instant: string, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(
    new Date(instant),
  );
}

/** `Monday 30 November` (long) or `Mon 30 Nov` (short) for a civil date, whatever the zone. */
export function dayLabel(date: string, style: 'long' | 'short' = 'long'): string {
  return new Intl.DateTimeFormat('en-GB', { weekday: style, day: 'numeric', month: style, timeZone: 'UTC' }).format(civil(date));
}

/** `30 Nov – 6 Dec 2026` for a week, `Monday 30 November 2026` for a day. */
export function rangeLabel(view: CalendarView, date: string): string {
  const long = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  if (view === 'day') {
    return `${dayLabel(date)} ${date.slice(0, 4)}`;
  }
  const first = startOfWeek(date);
  return long.formatRange(civil(first), civil(addDays(first, 6)));
}

function civil(date: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day));
}
