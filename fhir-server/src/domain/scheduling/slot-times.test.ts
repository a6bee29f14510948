import type { PractitionerRole } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import { availabilityRules, SLOT_LENGTH_URL, TIMEZONE_URL } from './availability-rules';
import { SchedulingError } from './scheduling-error';
import { slotTimes } from './slot-times';

function role(
  zone: string,
  availableTime: PractitionerRole['availableTime'],
  extra: Partial<PractitionerRole> = {},
  minutes = 30,
): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    extension: [
      { url: TIMEZONE_URL, valueCode: zone },
      { url: SLOT_LENGTH_URL, valueDuration: { value: minutes, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' } },
    ],
    availableTime,
    ...extra,
  };
}

/** The slots of one local day, as local wall-clock `HH:mm` with the UTC offset. */
function localDay(r: PractitionerRole, date: string): string[] {
  const rules = availabilityRules(r);
  const day = DateTime.fromISO(date, { zone: rules.zone });
  return slotTimes(rules, day.toMillis(), day.plus({ days: 1 }).toMillis()).map((s) =>
    DateTime.fromMillis(s.startMs, { zone: rules.zone }).toFormat('HH:mm ZZ'),
  );
}

const night = [{ daysOfWeek: ['sun' as const], availableStartTime: '01:00:00', availableEndTime: '04:00:00' }];

describe('slot times across daylight-saving transitions', () => {
  test('America/New_York spring forward (2027-03-14): no slot in the missing hour', () => {
    expect(localDay(role('America/New_York', night), '2027-03-14')).toEqual([
      '01:00 -05:00',
      '01:30 -05:00',
      '03:00 -04:00',
      '03:30 -04:00',
    ]);
  });

  test('America/New_York fall back (2027-11-07): each wall-clock time once, no duplicate', () => {
    const slots = localDay(role('America/New_York', night), '2027-11-07');
    expect(slots.map((s) => s.slice(0, 5))).toEqual(['01:00', '01:30', '02:00', '02:30', '03:00', '03:30']);
    expect(new Set(slots.map((s) => s.slice(0, 5))).size).toBe(slots.length);
  });

  test('Europe/Berlin spring forward (2027-03-28) and fall back (2027-10-31)', () => {
    const rules = [{ daysOfWeek: ['sun' as const], availableStartTime: '01:00:00', availableEndTime: '04:00:00' }];
    expect(localDay(role('Europe/Berlin', rules, {}, 60), '2027-03-28')).toEqual(['01:00 +01:00', '03:00 +02:00']);
    expect(localDay(role('Europe/Berlin', rules, {}, 60), '2027-10-31').map((s) => s.slice(0, 5))).toEqual(['01:00', '02:00', '03:00']);
  });

  test('Asia/Kolkata has no DST: the same UTC times in winter and summer', () => {
    const weekdays = [{ daysOfWeek: ['mon' as const], availableStartTime: '09:00:00', availableEndTime: '10:00:00' }];
    const utc = (date: string) => {
      const rules = availabilityRules(role('Asia/Kolkata', weekdays));
      const day = DateTime.fromISO(date, { zone: 'Asia/Kolkata' });
      return slotTimes(rules, day.toMillis(), day.plus({ days: 1 }).toMillis()).map((s) => new Date(s.startMs).toISOString().slice(11, 16));
    };
    expect(utc('2027-01-04')).toEqual(['03:30', '04:00']);
    expect(utc('2027-07-05')).toEqual(['03:30', '04:00']);
  });

  test('a patient in another zone sees the same instants: Berlin 09:00 is 08:00 UTC in winter, 07:00 in summer', () => {
    const rules = availabilityRules(
      role('Europe/Berlin', [{ daysOfWeek: ['mon'], availableStartTime: '09:00:00', availableEndTime: '09:30:00' }]),
    );
    const first = (from: string) => slotTimes(rules, Date.parse(from), Date.parse(from) + 86_400_000 * 7)[0];
    expect(new Date(first('2027-01-01T00:00:00Z').startMs).toISOString()).toBe('2027-01-04T08:00:00.000Z');
    expect(DateTime.fromMillis(first('2027-01-01T00:00:00Z').startMs, { zone: 'America/New_York' }).toFormat('yyyy-MM-dd HH:mm')).toBe(
      '2027-01-04 03:00',
    );
    expect(new Date(first('2027-07-01T00:00:00Z').startMs).toISOString()).toBe('2027-07-05T07:00:00.000Z');
  });
});

describe('weekly rules, breaks and exceptions', () => {
  const weekday = (start: string, end: string) => ({
    daysOfWeek: ['mon' as const, 'tue' as const],
    availableStartTime: start,
    availableEndTime: end,
  });

  test('breaks are the gaps between rules; a slot must end within its rule', () => {
    const r = role('Europe/Berlin', [weekday('09:00:00', '10:15:00'), weekday('11:00:00', '12:00:00')]);
    expect(localDay(r, '2027-01-04').map((s) => s.slice(0, 5))).toEqual(['09:00', '09:30', '11:00', '11:30']);
    expect(localDay(r, '2027-01-06')).toEqual([]);
  });

  test('notAvailable removes whole local days (date bounds are inclusive) and instants', () => {
    const r = role('Europe/Berlin', [weekday('09:00:00', '10:00:00')], {
      notAvailable: [
        { description: 'holiday', during: { start: '2027-01-04', end: '2027-01-04' } },
        { description: 'meeting', during: { start: '2027-01-05T09:15:00+01:00', end: '2027-01-05T09:45:00+01:00' } },
      ],
    });
    expect(localDay(r, '2027-01-04')).toEqual([]);
    expect(localDay(r, '2027-01-05')).toEqual([]);
    expect(localDay(r, '2027-01-11')).toHaveLength(2);
  });

  test.each([
    ['unknown time zone', role('Mars/Olympus', [weekday('09:00:00', '10:00:00')]), /time zone/],
    ['zero slot length', role('UTC', [weekday('09:00:00', '10:00:00')], {}, 0), /slot length/],
    ['negative slot length', role('UTC', [weekday('09:00:00', '10:00:00')], {}, -15), /slot length/],
    ['end before start', role('UTC', [weekday('10:00:00', '09:00:00')]), /before it starts/],
    ['overlapping rules', role('UTC', [weekday('09:00:00', '11:00:00'), weekday('10:00:00', '12:00:00')]), /overlap/],
    [
      'exception ending before it starts',
      role('UTC', [], { notAvailable: [{ description: 'x', during: { start: '2027-01-05', end: '2027-01-04' } }] }),
      /ends before/,
    ],
  ])('bad rules are refused: %s', (_name, r, message) => {
    expect(() => availabilityRules(r)).toThrow(SchedulingError);
    expect(() => availabilityRules(r)).toThrow(message);
  });
});
