import type { Appointment } from '@medplum/fhirtypes';
import { appointmentTransition, remindersFor, type AppointmentNoticeState } from './appointment-transition';

const appointment = (status: Appointment['status'], start = '2026-12-20T09:00:00Z'): Appointment => ({
  resourceType: 'Appointment',
  status,
  start,
  participant: [
    { actor: { reference: 'Patient/p1' }, status: 'accepted' },
    { actor: { reference: 'Practitioner/d1' }, status: 'accepted' },
    { actor: { reference: 'Location/room' }, status: 'accepted' },
    { actor: { reference: 'Practitioner/d2' }, status: 'declined' },
  ],
});
const booked: AppointmentNoticeState = {
  status: 'booked',
  start: '2026-12-20T09:00:00.000Z',
  recipients: ['Patient/p1', 'Practitioner/d1'],
};

describe('appointmentTransition', () => {
  test('booking confirms to the people taking part and plans reminders', () => {
    expect(appointmentTransition(undefined, appointment('booked'))).toMatchObject({
      notices: ['confirmation'],
      planReminders: true,
      cancelReminders: false,
      recipients: ['Patient/p1', 'Practitioner/d1'],
      state: booked,
    });
  });

  test('the same booked version again changes nothing (idempotent planning)', () => {
    expect(appointmentTransition(booked, appointment('booked'))).toMatchObject({ notices: [], cancelReminders: false });
  });

  test('a new start announces the move and re-plans', () => {
    expect(appointmentTransition(booked, appointment('booked', '2026-12-21T09:00:00Z'))).toMatchObject({
      notices: ['reschedule'],
      cancelReminders: true,
      planReminders: true,
    });
  });

  test('a cancellation or deletion after booking is announced; other ends stop the reminders silently', () => {
    expect(appointmentTransition(booked, appointment('cancelled'))).toMatchObject({ notices: ['cancellation'], cancelReminders: true });
    expect(appointmentTransition(booked, undefined)).toMatchObject({ notices: ['cancellation'], recipients: booked.recipients });
    expect(appointmentTransition(booked, appointment('fulfilled'))).toMatchObject({ notices: [], cancelReminders: true });
    expect(appointmentTransition(undefined, appointment('cancelled'))).toMatchObject({ notices: [] });
    expect(appointmentTransition(undefined, appointment('proposed'))).toMatchObject({ notices: [], planReminders: false });
  });
});

describe('remindersFor', () => {
  const start = new Date('2026-12-20T09:00:00Z');
  const minutes = (n: number): Date => new Date(start.getTime() - n * 60_000);

  test('each due its offset before the start, stale when the next closer one is due', () => {
    expect(remindersFor(start, [10, 1440, 60], minutes(3000), minutes(3000))).toEqual([
      { minutesBefore: 1440, dueAt: minutes(1440), expiresAt: minutes(60) },
      { minutesBefore: 60, dueAt: minutes(60), expiresAt: minutes(10) },
      { minutesBefore: 10, dueAt: minutes(10), expiresAt: start },
    ]);
  });

  test('none for a time before the booking, none stale', () => {
    expect(remindersFor(start, [1440, 60, 10], minutes(120), minutes(120)).map((r) => r.minutesBefore)).toEqual([60, 10]);
    expect(remindersFor(start, [1440, 60, 10], minutes(3000), minutes(30)).map((r) => r.minutesBefore)).toEqual([60, 10]);
    expect(remindersFor(start, [1440, 60, 10], minutes(3000), start)).toEqual([]);
  });
});
