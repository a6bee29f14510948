import type { Appointment } from '@medplum/fhirtypes';
import { canJoin, CHECK_IN_MINUTES } from './consultation-window';

describe('canJoin', () => {
  const start = Date.parse('2026-12-01T10:00:00Z');
  const appointment = (status: Appointment['status']): Appointment => ({
    resourceType: 'Appointment',
    status,
    start: '2026-12-01T10:00:00Z',
    end: '2026-12-01T10:20:00Z',
    participant: [],
  });

  it('opens CHECK_IN_MINUTES before the start and closes at the end', () => {
    expect(canJoin(appointment('booked'), start - CHECK_IN_MINUTES * 60_000 - 1)).toBe(false);
    expect(canJoin(appointment('booked'), start - CHECK_IN_MINUTES * 60_000)).toBe(true);
    expect(canJoin(appointment('arrived'), start + 19 * 60_000)).toBe(true);
    expect(canJoin(appointment('booked'), start + 20 * 60_000)).toBe(false);
  });

  it('is never open for a cancelled or finished appointment', () => {
    expect(canJoin(appointment('cancelled'), start)).toBe(false);
    expect(canJoin(appointment('fulfilled'), start)).toBe(false);
  });
});
