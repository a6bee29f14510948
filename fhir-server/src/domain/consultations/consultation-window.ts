import type { Appointment } from '@medplum/fhirtypes';
import { OVERRUN_MINUTES, type ConsultationSettings } from './consultation-settings';

const MINUTE = 60_000;

/** The instants that bound an appointment's waiting room and video room. */
export interface ConsultationWindow {
  /** From when the patient may check in and participants may get video credentials. */
  readonly opens: Date;
  /** Until when the patient may check in (the booked end). */
  readonly checkInCloses: Date;
  /** Until when video credentials are issued and valid (the booked end plus an overrun). */
  readonly closes: Date;
}

export function consultationWindow(
  appointment: Pick<Appointment, 'start' | 'end'>,
  settings: ConsultationSettings,
): ConsultationWindow | undefined {
  const start = appointment.start ? Date.parse(appointment.start) : NaN;
  const end = appointment.end ? Date.parse(appointment.end) : NaN;
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return undefined;
  }
  return {
    opens: new Date(start - settings.checkInMinutes * MINUTE),
    checkInCloses: new Date(end),
    closes: new Date(end + OVERRUN_MINUTES * MINUTE),
  };
}

/** Why `now` is outside [opens, until), or undefined when inside. */
export function outsideWindowProblem(window: ConsultationWindow, until: Date, now: Date, what: string): string | undefined {
  if (now < window.opens) {
    return `${what} opens at ${window.opens.toISOString()}`;
  }
  if (now >= until) {
    return `${what} closed at ${until.toISOString()}`;
  }
  return undefined;
}

/** The instant after which a booked appointment nobody checked in to is a no-show. */
export function noShowAfter(appointment: Pick<Appointment, 'start'>, settings: ConsultationSettings): Date | undefined {
  const start = appointment.start ? Date.parse(appointment.start) : NaN;
  return Number.isNaN(start) ? undefined : new Date(start + settings.noShowGraceMinutes * MINUTE);
}
