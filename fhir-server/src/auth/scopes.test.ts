import { matchingScopes, narrowScopes, parseScopes } from './scopes';

describe('SMART scopes (scopes-and-launch-context.html)', () => {
  test('v1 read / write / * map to the v2 letters', () => {
    const scopes = parseScopes('patient/Observation.read user/*.write system/Patient.*');
    expect(scopes.resources.map((s) => [s.context, s.resourceType, [...s.interactions].join('')])).toEqual([
      ['patient', 'Observation', 'rs'],
      ['user', '*', 'cud'],
      ['system', 'Patient', 'cruds'],
    ]);
  });

  test('v2 letters must be in c-r-u-d-s order; others are dropped', () => {
    const scopes = parseScopes('patient/Appointment.rs user/*.cruds patient/Observation.sr user/Patient.x');
    expect(scopes.granted).toEqual(['patient/Appointment.rs', 'user/*.cruds']);
  });

  test('launch, openid, fhirUser and offline_access are recognised; garbage is ignored', () => {
    const scopes = parseScopes('openid fhirUser launch/patient offline_access nonsense patient/../x.read');
    expect(scopes).toMatchObject({ openid: true, fhirUser: true, launchPatient: true, offlineAccess: true });
    expect(scopes.granted).not.toContain('nonsense');
    expect(scopes.resources).toEqual([]);
  });

  test('v2 scopes with search constraints grant nothing (they cannot be enforced yet)', () => {
    expect(parseScopes('patient/Observation.rs?category=laboratory').resources).toEqual([]);
  });

  test('matchingScopes checks type and interaction', () => {
    const scopes = parseScopes('patient/Observation.rs user/Patient.r');
    expect(matchingScopes(scopes, 'Observation', 's')).toHaveLength(1);
    expect(matchingScopes(scopes, 'Observation', 'c')).toHaveLength(0);
    expect(matchingScopes(scopes, 'Patient', 's')).toHaveLength(0);
  });

  test('narrowScopes keeps only what the allowed scopes cover', () => {
    expect(narrowScopes('patient/*.rs patient/Observation.cruds openid system/*.*', 'patient/*.rs openid')).toBe('patient/*.rs openid');
    expect(narrowScopes('patient/Observation.read', 'patient/*.cruds')).toBe('patient/Observation.read');
  });
});
