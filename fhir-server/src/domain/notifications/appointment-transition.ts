import type { Appointment } from '@medplum/fhirtypes';
import type { NoticeKind } from './email-templates';

/** What was last planned for an Appointment (notification_state). */
export interface AppointmentNoticeState {
  readonly status: string;
  readonly start?: string;
  /** `Patient/1`, `Practitioner/2`: who was told, so a deletion can still be announced. */
  readonly recipients: readonly string[];
}

export interface AppointmentPlan {
  readonly notices: readonly NoticeKind[];
  /** Cancel the reminders planned so far (cancelled, rescheduled, over). */
  readonly cancelReminders: boolean;
  /** Plan the reminders of the current start (idempotent). */
  readonly planReminders: boolean;
  readonly recipients: readonly string[];
  readonly state: AppointmentNoticeState;
}

const PERSON = /^(Patient|Practitioner)\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * From what was planned before and the Appointment now (undefined when deleted) to what to
 * send: a booked appointment is confirmed once, a moved one announced and re-planned, a
 * cancelled or deleted one announced if it had been booked; any status other than booked stops
 * the reminders. The result depends only on the latest version, so changes planned late or
 * out of order come to the same end.
 */
export function appointmentTransition(before: AppointmentNoticeState | undefined, appointment: Appointment | undefined): AppointmentPlan {
  const status = appointment?.status ?? 'deleted';
  const recipients = appointment ? participantsOf(appointment) : (before?.recipients ?? []);
  const start = appointment?.start ? new Date(appointment.start).toISOString() : undefined;
  const state: AppointmentNoticeState = { status, start, recipients };
  const wasBooked = before?.status === 'booked';
  if (status !== 'booked' || !start) {
    const announced = wasBooked && (status === 'cancelled' || status === 'deleted');
    return {
      notices: announced ? ['cancellation'] : [],
      cancelReminders: true,
      planReminders: false,
      recipients,
      state: { ...state, start: start ?? before?.start },
    };
  }
  if (!wasBooked) {
    return { notices: ['confirmation'], cancelReminders: false, planReminders: true, recipients, state };
  }
  if (before.start !== start) {
    return { notices: ['reschedule'], cancelReminders: true, planReminders: true, recipients, state };
  }
  return { notices: [], cancelReminders: false, planReminders: true, recipients, state };
}

/** The people taking part (not those who declined), as `Patient/<id>` or `Practitioner/<id>`. */
function participantsOf(appointment: Appointment): string[] {
  const people = (appointment.participant ?? [])
    .filter((p) => p.status !== 'declined')
    .map((p) => p.actor?.reference ?? '')
    .filter((reference) => PERSON.test(reference));
  return [...new Set(people)];
}

export interface PlannedReminder {
  readonly minutesBefore: number;
  readonly dueAt: Date;
  /** When the next, closer reminder is due (or the start): an older one is stale by then. */
  readonly expiresAt: Date;
}

/**
 * The reminders of a start booked (or moved) at `bookedAt`, still useful at `now`: each is due
 * `offset` before the start, none is planned for a time before the booking (a consultation
 * booked two hours ahead gets no 24-hour reminder), and each is stale once the next closer one is
 * due, so a server back from downtime sends the closest only.
 */
export function remindersFor(start: Date, offsetsMinutes: readonly number[], bookedAt: Date, now: Date): PlannedReminder[] {
  const offsets = [...new Set(offsetsMinutes)].sort((a, b) => b - a);
  return offsets
    .map((minutes, i) => ({
      minutesBefore: minutes,
      dueAt: new Date(start.getTime() - minutes * 60_000),
      expiresAt: new Date(start.getTime() - (offsets[i + 1] ?? 0) * 60_000),
    }))
    .filter((r) => r.dueAt.getTime() >= bookedAt.getTime() && r.expiresAt.getTime() > now.getTime());
}
