import type { PractitionerRole, PractitionerRoleAvailableTime, PractitionerRoleNotAvailable } from '@medplum/fhirtypes';

export const EXTENSION = 'https://medbuddy.dev/fhir/StructureDefinition/';
export const ROLE_PROFILE = `${EXTENSION}medbuddy-practitioner-role`;
export const SPECIALTY_SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/specialty';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Weekly opening hours on some days (`HH:mm` local time), with an optional break inside them. */
export interface WeeklyHours {
  days: Weekday[];
  start: string;
  end: string;
  breakStart: string;
  breakEnd: string;
}

/** A holiday or other absence: whole local days, both inclusive (`YYYY-MM-DD`). */
export interface AvailabilityException {
  from: string;
  to: string;
  description: string;
}

/** What the doctor edits on the profile and availability page. */
export interface PracticeForm {
  specialty: string;
  specialtyDisplay: string;
  fee: number | null;
  languages: string[];
  biography: string;
  timeZone: string;
  slotMinutes: number;
  hours: WeeklyHours[];
  exceptions: AvailabilityException[];
}

export function emptyPracticeForm(timeZone: string): PracticeForm {
  return {
    specialty: '',
    specialtyDisplay: '',
    fee: null,
    languages: [],
    biography: '',
    timeZone,
    slotMinutes: 30,
    hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', breakStart: '12:00', breakEnd: '13:00' }],
    exceptions: [],
  };
}

/**
 * Problems the server would refuse, in words for the doctor (the server checks again: a bad
 * rule is a 400 and changes nothing). Empty when the form can be saved.
 */
export function practiceFormProblems(form: PracticeForm): string[] {
  const problems: string[] = [];
  if (!form.specialty) {
    problems.push('Choose a specialty.');
  }
  if (form.fee === null || !(form.fee >= 0)) {
    problems.push('Give a consultation fee (0 or more).');
  }
  if (!Number.isInteger(form.slotMinutes) || form.slotMinutes < 5 || form.slotMinutes > 240) {
    problems.push('Slots last between 5 and 240 whole minutes.');
  }
  form.hours.forEach((hours, i) => {
    const label = `Opening hours ${i + 1}`;
    if (hours.days.length === 0) {
      problems.push(`${label}: choose at least one day.`);
    }
    if (!(hours.start < hours.end)) {
      problems.push(`${label}: the end must be after the start.`);
    }
    if (hours.breakStart || hours.breakEnd) {
      if (!(hours.start < hours.breakStart && hours.breakStart < hours.breakEnd && hours.breakEnd < hours.end)) {
        problems.push(`${label}: the break must lie inside the opening hours.`);
      }
    }
  });
  form.exceptions.forEach((exception, i) => {
    if (!exception.from || !exception.to || exception.to < exception.from) {
      problems.push(`Absence ${i + 1}: give a first and a last day, in order.`);
    }
  });
  return problems;
}

/** The PractitionerRole for the form, keeping what the form does not edit (ratings, id, meta). */
export function toPractitionerRole(form: PracticeForm, practitioner: string, existing?: PractitionerRole): PractitionerRole {
  const edited = new Set(
    ['consultation-fee', 'consultation-language', 'biography', 'timezone', 'slot-length'].map((name) => EXTENSION + name),
  );
  const kept = (existing?.extension ?? []).filter((extension) => !edited.has(extension.url));
  return {
    ...existing,
    resourceType: 'PractitionerRole',
    meta: { ...existing?.meta, profile: [ROLE_PROFILE] },
    active: true,
    practitioner: { reference: practitioner },
    specialty: [{ coding: [{ system: SPECIALTY_SYSTEM, code: form.specialty, display: form.specialtyDisplay || undefined }] }],
    extension: [
      ...kept,
      { url: `${EXTENSION}consultation-fee`, valueMoney: { value: form.fee ?? 0, currency: 'EUR' } },
      ...form.languages.map((code) => ({ url: `${EXTENSION}consultation-language`, valueCode: code })),
      ...(form.biography.trim() ? [{ url: `${EXTENSION}biography`, valueMarkdown: form.biography.trim() }] : []),
      { url: `${EXTENSION}timezone`, valueCode: form.timeZone },
      {
        url: `${EXTENSION}slot-length`,
        valueDuration: { value: form.slotMinutes, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' },
      },
    ],
    availableTime: form.hours.flatMap(toAvailableTimes),
    notAvailable: form.exceptions.map((exception): PractitionerRoleNotAvailable => ({
      description: exception.description.trim() || 'Not available',
      during: { start: exception.from, end: exception.to },
    })),
  };
}

/** The form for a stored PractitionerRole; two entries on the same days become hours with a break. */
export function fromPractitionerRole(role: PractitionerRole, defaultTimeZone: string): PracticeForm {
  const extension = (name: string) => role.extension?.filter((e) => e.url === EXTENSION + name) ?? [];
  const coding = role.specialty?.[0]?.coding?.find((c) => c.system === SPECIALTY_SYSTEM) ?? role.specialty?.[0]?.coding?.[0];
  return {
    specialty: coding?.code ?? '',
    specialtyDisplay: coding?.display ?? '',
    fee: extension('consultation-fee')[0]?.valueMoney?.value ?? null,
    languages: extension('consultation-language').flatMap((e) => (e.valueCode ? [e.valueCode] : [])),
    biography: extension('biography')[0]?.valueMarkdown ?? '',
    timeZone: extension('timezone')[0]?.valueCode ?? defaultTimeZone,
    slotMinutes: extension('slot-length')[0]?.valueDuration?.value ?? 30,
    hours: toWeeklyHours(role.availableTime ?? []),
    exceptions: (role.notAvailable ?? []).map((na) => ({
      from: (na.during?.start ?? '').slice(0, 10),
      to: (na.during?.end ?? '').slice(0, 10),
      description: na.description,
    })),
  };
}

function toAvailableTimes(hours: WeeklyHours): PractitionerRoleAvailableTime[] {
  const daysOfWeek = WEEKDAYS.filter((day) => hours.days.includes(day));
  const spans =
    hours.breakStart && hours.breakEnd
      ? [
          [hours.start, hours.breakStart],
          [hours.breakEnd, hours.end],
        ]
      : [[hours.start, hours.end]];
  return spans.map(([start, end]) => ({ daysOfWeek, availableStartTime: `${start}:00`, availableEndTime: `${end}:00` }));
}

function toWeeklyHours(times: readonly PractitionerRoleAvailableTime[]): WeeklyHours[] {
  const byDays = new Map<string, { days: Weekday[]; spans: [string, string][] }>();
  for (const time of times) {
    const days = WEEKDAYS.filter((day) => (time.daysOfWeek ?? WEEKDAYS).includes(day));
    const span: [string, string] = time.allDay
      ? ['00:00', '24:00']
      : [(time.availableStartTime ?? '').slice(0, 5), (time.availableEndTime ?? '').slice(0, 5)];
    const key = days.join(',');
    const group = byDays.get(key) ?? { days, spans: [] };
    group.spans.push(span);
    byDays.set(key, group);
  }
  return [...byDays.values()].flatMap(({ days, spans }) => {
    spans.sort((a, b) => a[0].localeCompare(b[0]));
    if (spans.length === 2) {
      return [{ days, start: spans[0][0], end: spans[1][1], breakStart: spans[0][1], breakEnd: spans[1][0] }];
    }
    return spans.map(([start, end]) => ({ days, start, end, breakStart: '', breakEnd: '' }));
  });
}
