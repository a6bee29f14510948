import { patientMayChangeStatus, statusTransitionProblem } from './status-transitions';

describe('Appointment status machine', () => {
  test.each([
    ['booked', 'arrived'],
    ['booked', 'cancelled'],
    ['booked', 'noshow'],
    ['arrived', 'fulfilled'],
    ['proposed', 'booked'],
    ['pending', 'booked'],
    ['fulfilled', 'entered-in-error'],
    ['booked', 'booked'],
  ])('%s -> %s is allowed', (from, to) => {
    expect(statusTransitionProblem('Appointment', from, to)).toBeUndefined();
  });

  test.each([
    ['booked', 'fulfilled'],
    ['booked', 'proposed'],
    ['arrived', 'booked'],
    ['arrived', 'noshow'],
    ['fulfilled', 'arrived'],
    ['cancelled', 'booked'],
    ['noshow', 'arrived'],
    ['entered-in-error', 'booked'],
  ])('%s -> %s is refused', (from, to) => {
    expect(statusTransitionProblem('Appointment', from, to)).toMatch(`from "${from}" to "${to}"`);
  });

  test('the message names what is possible, or that the status is final', () => {
    expect(statusTransitionProblem('Appointment', 'booked', 'fulfilled')).toContain('"arrived", "checked-in", "cancelled", "noshow"');
    expect(statusTransitionProblem('Appointment', 'cancelled', 'booked')).toContain('"cancelled" is final');
    expect(statusTransitionProblem('Appointment', 'nonsense', 'booked')).toContain('unknown');
  });
});

describe('Encounter status machine', () => {
  test('arrived -> in-progress -> onleave -> in-progress -> finished', () => {
    const path = ['arrived', 'in-progress', 'onleave', 'in-progress', 'finished'];
    for (let i = 1; i < path.length; i++) {
      expect(statusTransitionProblem('Encounter', path[i - 1], path[i])).toBeUndefined();
    }
  });

  test('finished and cancelled are final; nothing skips back to planned', () => {
    expect(statusTransitionProblem('Encounter', 'finished', 'in-progress')).toBeDefined();
    expect(statusTransitionProblem('Encounter', 'cancelled', 'arrived')).toBeDefined();
    expect(statusTransitionProblem('Encounter', 'in-progress', 'planned')).toBeDefined();
    expect(statusTransitionProblem('Encounter', 'arrived', 'finished')).toBeDefined();
  });

  test('other types have no lifecycle here', () => {
    expect(statusTransitionProblem('Observation', 'final', 'preliminary')).toBeUndefined();
  });
});

test('a patient may change a status with a write only to cancel an appointment', () => {
  expect(patientMayChangeStatus('Appointment', 'cancelled')).toBe(true);
  expect(patientMayChangeStatus('Appointment', 'arrived')).toBe(false);
  expect(patientMayChangeStatus('Encounter', 'cancelled')).toBe(false);
});
