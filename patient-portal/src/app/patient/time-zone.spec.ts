import type { Patient } from '@medplum/fhirtypes';
import { dayKey, formatTime, knownTimeZones, patientTimeZone, TIME_ZONE_EXTENSION, withTimeZone } from './time-zone';

describe('time zone of the patient', () => {
  it('reads and replaces the tz-code extension, keeping other extensions', () => {
    const other = { url: 'http://example.org/other', valueString: 'x' };
    const patient: Patient = { resourceType: 'Patient', extension: [other, { url: TIME_ZONE_EXTENSION, valueCode: 'Europe/Berlin' }] };
    expect(patientTimeZone(patient)).toBe('Europe/Berlin');
    const moved = withTimeZone(patient, 'America/New_York');
    expect(patientTimeZone(moved)).toBe('America/New_York');
    expect(moved.extension).toEqual([other, { url: TIME_ZONE_EXTENSION, valueCode: 'America/New_York' }]);
    expect(patientTimeZone({ resourceType: 'Patient' })).toBeUndefined();
  });

  it('shows an instant in the given zone, and groups by the day there', () => {
    const instant = '2026-12-01T23:30:00Z';
    expect(formatTime(instant, 'Europe/Berlin')).toMatch(/0?0:30|12:30\sAM/);
    expect(dayKey(instant, 'Europe/Berlin')).toBe('2026-12-02');
    expect(dayKey(instant, 'America/New_York')).toBe('2026-12-01');
  });

  it('lists the zones the browser knows, always including the current one', () => {
    expect(knownTimeZones('Mars/Olympus_Mons')[0]).toBe('Mars/Olympus_Mons');
  });
});
