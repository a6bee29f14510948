import type { PractitionerRole } from '@medplum/fhirtypes';
import { DateTime, IANAZone } from 'luxon';
import { SchedulingError } from './scheduling-error';

export const TIMEZONE_URL = 'https://medbuddy.dev/fhir/StructureDefinition/timezone';
export const SLOT_LENGTH_URL = 'https://medbuddy.dev/fhir/StructureDefinition/slot-length';
/** Without a slot-length extension, slots last this long. */
export const DEFAULT_SLOT_MINUTES = 30;

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** Luxon weekday numbers (1 = Monday) to FHIR days-of-week codes. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** One weekly opening: on these days, from `start` to `end` local wall-clock time (minutes since midnight). */
export interface WeeklyHours {
  readonly days: ReadonlySet<Weekday>;
  readonly startMinute: number;
  readonly endMinute: number;
}

/** An interval of instants (epoch milliseconds, end exclusive) when no slot is offered. */
export interface Closure {
  readonly startMs: number;
  readonly endMs: number;
}

/** A doctor's availability as the slot generator needs it; local times are in `zone`. */
export interface AvailabilityRules {
  readonly zone: string;
  readonly slotMinutes: number;
  readonly weekly: readonly WeeklyHours[];
  readonly closures: readonly Closure[];
}

/**
 * The availability rules a PractitionerRole carries (availableTime, notAvailable, the timezone
 * and slot-length extensions). Breaks are the gaps between availableTime entries of a day.
 * Throws SchedulingError('invalid') for an unknown time zone, a slot length that is not a
 * positive number of minutes, an end not after its start, or two rules overlapping on a day.
 */
export function availabilityRules(role: PractitionerRole): AvailabilityRules {
  const zone = role.extension?.find((e) => e.url === TIMEZONE_URL)?.valueCode ?? 'UTC';
  if (!IANAZone.isValidZone(zone)) {
    throw new SchedulingError('invalid', `Unknown IANA time zone "${zone}"`, 'PractitionerRole.extension(timezone)');
  }
  const slotMinutes = slotLength(role);
  const weekly = (role.availableTime ?? []).map((time, i): WeeklyHours => {
    const where = `PractitionerRole.availableTime[${i}]`;
    const days = new Set((time.daysOfWeek ?? WEEKDAYS) as Weekday[]);
    if (time.allDay) {
      return { days, startMinute: 0, endMinute: 24 * 60 };
    }
    if (!time.availableStartTime || !time.availableEndTime) {
      throw new SchedulingError('invalid', 'An availability rule needs a start and an end time, or allDay', where);
    }
    const startMinute = minuteOfDay(time.availableStartTime, where);
    const endMinute = minuteOfDay(time.availableEndTime, where);
    if (endMinute <= startMinute) {
      throw new SchedulingError(
        'invalid',
        `Availability ends (${time.availableEndTime}) before it starts (${time.availableStartTime})`,
        where,
      );
    }
    return { days, startMinute, endMinute };
  });
  rejectOverlaps(weekly);
  const closures = (role.notAvailable ?? []).flatMap((na, i) => (na.during ? [closure(na.during, zone, i)] : []));
  return { zone, slotMinutes, weekly, closures };
}

function slotLength(role: PractitionerRole): number {
  const duration = role.extension?.find((e) => e.url === SLOT_LENGTH_URL)?.valueDuration;
  if (!duration) {
    return DEFAULT_SLOT_MINUTES;
  }
  const minutes = duration.value;
  if (
    typeof minutes !== 'number' ||
    !Number.isInteger(minutes) ||
    minutes <= 0 ||
    minutes > 24 * 60 ||
    (duration.code ?? 'min') !== 'min'
  ) {
    throw new SchedulingError(
      'invalid',
      'The slot length must be a positive whole number of minutes (code "min")',
      'PractitionerRole.extension(slot-length)',
    );
  }
  return minutes;
}

function minuteOfDay(time: string, where: string): number {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?/.exec(time);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || hours > 24 || minutes > 59 || (hours === 24 && minutes > 0)) {
    throw new SchedulingError('invalid', `"${time}" is not a time of day`, where);
  }
  return hours * 60 + minutes;
}

function rejectOverlaps(weekly: readonly WeeklyHours[]): void {
  for (let i = 0; i < weekly.length; i++) {
    for (let j = i + 1; j < weekly.length; j++) {
      const a = weekly[i];
      const b = weekly[j];
      const sharedDay = [...a.days].some((d) => b.days.has(d));
      if (sharedDay && a.startMinute < b.endMinute && b.startMinute < a.endMinute) {
        throw new SchedulingError(
          'invalid',
          `Availability rules ${i} and ${j} overlap on the same day`,
          `PractitionerRole.availableTime[${j}]`,
        );
      }
    }
  }
}

/** A date-only bound covers its whole local day (the end date is inclusive); a dateTime is an instant. */
function closure(during: { start?: string; end?: string }, zone: string, i: number): Closure {
  const where = `PractitionerRole.notAvailable[${i}].during`;
  const startMs = during.start ? boundMs(during.start, zone, false, where) : -Infinity;
  const endMs = during.end ? boundMs(during.end, zone, true, where) : Infinity;
  if (endMs <= startMs) {
    throw new SchedulingError('invalid', 'An exception period ends before it starts', where);
  }
  return { startMs, endMs };
}

function boundMs(value: string, zone: string, isEnd: boolean, where: string): number {
  const dateOnly = /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value);
  const parsed = dateOnly ? DateTime.fromISO(value, { zone }) : DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid) {
    throw new SchedulingError('invalid', `"${value}" is not a date or dateTime`, where);
  }
  if (!dateOnly) {
    return parsed.toMillis();
  }
  const unit = value.length === 4 ? 'year' : value.length === 7 ? 'month' : 'day';
  return (isEnd ? parsed.endOf(unit).plus({ milliseconds: 1 }) : parsed.startOf(unit)).toMillis();
}
