import { loadFhirDefinitions } from '../definitions';
import { accessContextFor } from './access-context';
import type { Principal, Role } from './principal';
import { parseScopes } from './scopes';

beforeAll(() => loadFhirDefinitions());

function user(role: Role, profile: string | undefined, scope = 'user/*.cruds', patient?: string): Principal {
  return { kind: 'user', accountId: 'a1', role, profile, clientId: 'c', scopes: parseScopes(scope), patient };
}

describe('access context: role policy intersected with SMART scopes', () => {
  test('anonymous callers may read and search only the public directory', () => {
    const access = accessContextFor({ kind: 'anonymous' });
    expect(access.permits('Practitioner', 's')).toBe(true);
    expect(access.permits('CodeSystem', 'r')).toBe(true);
    expect(access.permits('Practitioner', 'c')).toBe(false);
    expect(access.permits('Patient', 'r')).toBe(false);
    expect(access.readGrants('Slot')).toEqual([{ kind: 'public' }]);
  });

  test('a patient sees its own compartment and the public directory (compartmentdefinition-patient)', () => {
    const access = accessContextFor(user('patient', 'Patient/p1'));
    expect(access.readGrants('Observation')).toEqual([{ kind: 'compartment', patients: ['Patient/p1'] }]);
    expect(access.readGrants('Practitioner')).toEqual([{ kind: 'public' }]);
    expect(access.writeGrants('Practitioner', 'u')).toEqual([]);
    expect(access.permits('AuditEvent', 'r')).toBe(false);
    expect(access.permits('Medication', 'r')).toBe(false);
  });

  test('patient/ scopes confine any user to the patient in context', () => {
    const access = accessContextFor(user('doctor', 'Practitioner/d1', 'patient/Observation.rs', 'p9'));
    expect(access.readGrants('Observation')).toEqual([{ kind: 'compartment', patients: ['Patient/p9'] }]);
    expect(access.permits('Observation', 'c')).toBe(false);
    expect(access.permits('Condition', 'r')).toBe(false);
  });

  test('a doctor sees patients through the care relationship and edits only their own directory data', () => {
    const access = accessContextFor(user('doctor', 'Practitioner/d1'));
    expect(access.readGrants('Condition')).toEqual([{ kind: 'care-of', practitioner: 'Practitioner/d1' }]);
    expect(access.readGrants('Schedule')).toEqual([{ kind: 'public' }, { kind: 'own-practitioner-data', practitioner: 'Practitioner/d1' }]);
    expect(access.writeGrants('Schedule', 'c')).toEqual([{ kind: 'own-practitioner-data', practitioner: 'Practitioner/d1' }]);
    expect(access.permits('AuditEvent', 's')).toBe(false);
    expect(access.readGrants('Medication')).toEqual([{ kind: 'all' }]);
    // Outside the compartment but possibly holding patient data: not for user tokens.
    expect(access.permits('Bundle', 'r')).toBe(false);
    // A Binary belongs to the patient of its securityContext (through the care relationship), or
    // is one of the doctor's own credential documents, as a DocumentReference may be.
    const careOrOwn = [
      { kind: 'care-of', practitioner: 'Practitioner/d1' },
      { kind: 'own-practitioner-data', practitioner: 'Practitioner/d1' },
    ];
    expect(access.readGrants('Binary')).toEqual(careOrOwn);
    expect(access.writeGrants('DocumentReference', 'c')).toEqual(careOrOwn);
    expect(access.writeGrants('DocumentReference', 'd')).toEqual(careOrOwn);
  });

  test('an admin manages the directory, terminology and reads the audit trail, but not clinical content', () => {
    const access = accessContextFor(user('admin', undefined));
    expect(access.readGrants('Practitioner')).toEqual([{ kind: 'all' }]);
    expect(access.permits('CodeSystem', 'c')).toBe(true);
    expect(access.permits('AuditEvent', 's')).toBe(true);
    expect(access.permits('AuditEvent', 'c')).toBe(false);
    expect(access.permits('Observation', 'r')).toBe(false);
    expect(access.permits('Patient', 'r')).toBe(false);
    // Doctors' credential documents, to verify them: read only.
    expect(access.readGrants('DocumentReference')).toEqual([{ kind: 'practitioner-credentials' }]);
    expect(access.readGrants('Binary')).toEqual([{ kind: 'practitioner-credentials' }]);
    expect(access.permits('DocumentReference', 'c')).toBe(false);
    expect(access.permits('Binary', 'd')).toBe(false);
  });

  test('AuditEvents are immutable even for system/*.* clients; system/*.* is otherwise unrestricted', () => {
    const access = accessContextFor({ kind: 'client', clientId: 'b', scopes: parseScopes('system/*.*') });
    expect(access.unrestricted).toBe(true);
    expect(access.permits('AuditEvent', 'u')).toBe(false);
    expect(access.permits('AuditEvent', 'd')).toBe(false);
    expect(access.permits('Observation', 'd')).toBe(true);
  });

  test('users never get system-level access, whatever their token says', () => {
    const access = accessContextFor(user('patient', 'Patient/p1', 'system/*.*'));
    expect(access.unrestricted).toBe(false);
    expect(access.permits('Observation', 'r')).toBe(false);
  });

  test('a backend client with system/Observation.rs reads observations only', () => {
    const access = accessContextFor({ kind: 'client', clientId: 'b', scopes: parseScopes('system/Observation.rs') });
    expect(access.unrestricted).toBe(false);
    expect(access.readGrants('Observation')).toEqual([{ kind: 'all' }]);
    expect(access.readGrants('Patient')).toEqual([]);
    expect(access.permits('Observation', 'c')).toBe(false);
  });
});
