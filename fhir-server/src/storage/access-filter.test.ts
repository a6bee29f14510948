import { accessContextFor, FULL_ACCESS } from '../auth/access-context';
import { parseScopes } from '../auth/scopes';
import { loadFhirDefinitions } from '../definitions';
import { readFilter } from './access-filter';

beforeAll(() => loadFhirDefinitions());

const user = (role: 'patient' | 'doctor' | 'admin', profile: string | undefined, scope = 'user/*.cruds') =>
  accessContextFor({ kind: 'user', accountId: 'a', role, profile, clientId: 'c', scopes: parseScopes(scope) });

describe('read filter SQL (STYLE.md rule 4)', () => {
  test('full access adds no condition at all', () => {
    expect(readFilter(FULL_ACCESS, ['Patient'])).toBeUndefined();
  });

  test('a patient: its compartment, bound as a parameter', () => {
    expect(readFilter(user('patient', 'Patient/p1'), ['Observation'], 'r')).toEqual({
      sql: '((r.resource_type = ANY(?::text[]) AND r.compartments && ?::text[]))',
      bindings: [['Observation'], ['Patient/p1']],
    });
  });

  test('a doctor: care relationship through Appointment/Encounter participation (not cancelled), in SQL', () => {
    const filter = readFilter(user('doctor', 'Practitioner/d1'), ['Condition']);
    expect(filter?.sql).toContain('compartments && ARRAY(SELECT DISTINCT unnest(cr.compartments) FROM resource cr');
    expect(filter?.bindings).toEqual([['Condition'], ['Appointment', 'Encounter'], ['care:Practitioner/d1']]);
  });

  test('a doctor reads the appointments they take part in, and encounters in care or their own (cancelled ones included)', () => {
    expect(readFilter(user('doctor', 'Practitioner/d1'), ['Appointment'])?.bindings).toEqual([
      ['Appointment'],
      ['participant:Practitioner/d1'],
    ]);
    expect(readFilter(user('doctor', 'Practitioner/d1'), ['Encounter'])?.bindings).toEqual([
      ['Encounter'],
      ['Appointment', 'Encounter'],
      ['care:Practitioner/d1'],
      ['Encounter'],
      ['participant:Practitioner/d1'],
    ]);
  });

  test('public directory: verified practitioners only; types without grants match nothing', () => {
    const anonymous = accessContextFor({ kind: 'anonymous' });
    expect(readFilter(anonymous, ['Practitioner'])?.sql).toBe("((resource_type = ANY(?::text[]) AND access_tags @> '{verified}'))");
    expect(readFilter(anonymous, ['Observation'])).toEqual({ sql: 'false', bindings: [] });
  });

  test('types whose every row the caller may see need no condition (the caller tests the type)', () => {
    const doctor = user('doctor', 'Practitioner/d1');
    expect(readFilter(doctor, ['Medication', 'Organization'])).toBeUndefined();
    expect(readFilter(doctor, ['Medication', 'Observation'])?.sql).toContain('cr.compartments');
    expect(readFilter(accessContextFor({ kind: 'anonymous' }), ['Organization'])).toBeUndefined();
  });

  test('types sharing a grant are grouped into one condition (system-level history)', () => {
    const filter = readFilter(user('patient', 'Patient/p1', 'patient/*.rs'), undefined);
    const compartmentGroup = filter?.bindings.find((b) => Array.isArray(b) && b.includes('Observation')) as string[];
    expect(compartmentGroup).toEqual(expect.arrayContaining(['Observation', 'Condition', 'Patient', 'Encounter']));
    expect(compartmentGroup).not.toContain('AuditEvent');
  });
});
