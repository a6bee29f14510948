/**
 * FHIR date, dateTime and instant values as the range of instants they cover
 * (http://hl7.org/fhir/R4/search.html#date): `2024` is the whole year, `2024-03-01T10:00Z`
 * the whole minute. Bounds are inclusive epoch milliseconds. Values without a time zone are
 * taken as UTC. Used for index rows and for search values, so both sides agree.
 */
export interface DateRange {
  readonly low: number;
  readonly high: number;
}

const DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export function parseDateRange(text: string): DateRange | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const offset = zone === undefined || zone === 'Z' ? 0 : parseOffset(zone);
  if (offset === undefined) {
    return undefined;
  }
  const low = utc(year, month - 1, day, hour, minute, second, millis) - offset;
  let next: number;
  if (mo === undefined) {
    next = utc(year + 1, 0, 1, 0, 0, 0, 0);
  } else if (d === undefined) {
    next = utc(year, month, 1, 0, 0, 0, 0);
  } else if (h === undefined) {
    next = utc(year, month - 1, day + 1, 0, 0, 0, 0);
  } else {
    const step = s === undefined ? 60_000 : fraction === undefined ? 1000 : fraction.length >= 3 ? 1 : 10 ** (3 - fraction.length);
    return { low, high: low + step - 1 };
  }
  return { low, high: next - offset - 1 };
}

/** An index or search bound: ISO instant, or PostgreSQL's infinities for open ends. */
export function toTimestamp(ms: number): string {
  if (ms === Number.NEGATIVE_INFINITY) {
    return '-infinity';
  }
  if (ms === Number.POSITIVE_INFINITY) {
    return 'infinity';
  }
  return new Date(ms).toISOString();
}

function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function parseOffset(zone: string): number | undefined {
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) {
    return undefined;
  }
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}
