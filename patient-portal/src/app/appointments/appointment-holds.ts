import type { Appointment } from '@medplum/fhirtypes';

/** The reason the portal gives when the patient lets go of a time they held (`$cancel` of the hold). */
export const HOLD_RELEASED = 'Hold released: the patient chose another time';

/** What the server writes when it releases a hold that lapsed. */
const HOLD_EXPIRED = 'Hold expired';

/**
 * A short hold from `Appointment/$hold` (pending, or cancelled when released or lapsed) was
 * never a booked appointment: the patient's lists leave it out.
 */
export function isHold(appointment: Appointment): boolean {
  if (appointment.status === 'pending') {
    return true;
  }
  const reason = appointment.cancelationReason?.text;
  return appointment.status === 'cancelled' && (reason === HOLD_RELEASED || reason === HOLD_EXPIRED);
}
