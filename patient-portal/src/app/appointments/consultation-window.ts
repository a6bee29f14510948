import type { Appointment } from '@medplum/fhirtypes';

/**
 * Minutes before the start from which the patient may join the waiting room: the server's
 * default `VIDEO_CHECKIN_MINUTES`. The server decides; this only tells when to offer the button.
 */
export const CHECK_IN_MINUTES = 15;

const JOINABLE = new Set(['booked', 'arrived', 'checked-in']);

/** When the waiting room opens for this appointment (epoch ms), if it has a start. */
export function checkInOpens(appointment: Appointment): number | undefined {
  const start = appointment.start ? Date.parse(appointment.start) : NaN;
  return Number.isNaN(start) ? undefined : start - CHECK_IN_MINUTES * 60_000;
}

/** The waiting room can be joined now: an open appointment from CHECK_IN_MINUTES before its start until its end. */
export function canJoin(appointment: Appointment, nowMs: number): boolean {
  const opens = checkInOpens(appointment);
  const end = appointment.end ? Date.parse(appointment.end) : NaN;
  return JOINABLE.has(appointment.status) && opens !== undefined && nowMs >= opens && nowMs < end;
}
