import type { Appointment } from '@medplum/fhirtypes';
import { HOLD_RELEASED, isHold } from './appointment-holds';

describe('isHold', () => {
  const appointment = (status: Appointment['status'], reason?: string): Appointment => ({
    resourceType: 'Appointment',
    status,
    participant: [],
    cancelationReason: reason ? { text: reason } : undefined,
  });

  it('is a pending hold, or one released by the patient or lapsed', () => {
    expect(isHold(appointment('pending'))).toBe(true);
    expect(isHold(appointment('cancelled', HOLD_RELEASED))).toBe(true);
    expect(isHold(appointment('cancelled', 'Hold expired'))).toBe(true);
  });

  it('is not a booked appointment, nor one cancelled for another reason', () => {
    expect(isHold(appointment('booked'))).toBe(false);
    expect(isHold(appointment('cancelled', 'I am feeling better'))).toBe(false);
    expect(isHold(appointment('cancelled'))).toBe(false);
  });
});
