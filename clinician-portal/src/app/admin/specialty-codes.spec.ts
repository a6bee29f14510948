import type { CodeSystem } from '@medplum/fhirtypes';
import { newCodeProblem, specialtyRows, withDisplay, withNewSpecialty, withStatus } from './specialty-codes';

const codeSystem: CodeSystem = {
  resourceType: 'CodeSystem',
  status: 'active',
  content: 'complete',
  concept: [
    {
      code: 'primary-care',
      display: 'Primary care',
      property: [{ code: 'notSelectable', valueBoolean: true }],
      concept: [{ code: 'general-practice', display: 'General practice' }],
    },
    { code: 'ophthalmology', display: 'Ophthalmology' },
  ],
};

describe('specialty codes', () => {
  it('lists families before their members', () => {
    expect(specialtyRows(codeSystem)).toEqual([
      { code: 'primary-care', display: 'Primary care', family: '', grouping: true, retired: false },
      { code: 'general-practice', display: 'General practice', family: 'primary-care', grouping: false, retired: false },
      { code: 'ophthalmology', display: 'Ophthalmology', family: '', grouping: false, retired: false },
    ]);
  });

  it('adds a specialty under a family or at the top level', () => {
    const added = withNewSpecialty(
      withNewSpecialty(codeSystem, 'sports-medicine', ' Sports medicine ', 'primary-care'),
      'tropical-medicine',
      'Tropical medicine',
      '',
    );
    const rows = specialtyRows(added);
    expect(rows.find((r) => r.code === 'sports-medicine')).toEqual({
      code: 'sports-medicine',
      display: 'Sports medicine',
      family: 'primary-care',
      grouping: false,
      retired: false,
    });
    expect(rows.at(-1)?.code).toBe('tropical-medicine');
    expect(specialtyRows(codeSystem)).toHaveLength(3);
  });

  it('renames and retires a nested concept, and brings it back', () => {
    const renamed = withDisplay(codeSystem, 'general-practice', 'Family doctor');
    const retired = withStatus(renamed, 'general-practice', 'retired');
    expect(specialtyRows(retired)[1]).toMatchObject({ display: 'Family doctor', retired: true });
    expect(specialtyRows(withStatus(retired, 'general-practice', 'active'))[1].retired).toBe(false);
  });

  it('refuses a malformed, nameless or reused code', () => {
    expect(newCodeProblem(codeSystem, 'Sports Medicine', 'x')).toContain('lower-case');
    expect(newCodeProblem(codeSystem, 'sports', ' ')).toBe('Give the name patients will see.');
    expect(newCodeProblem(codeSystem, 'general-practice', 'GP')).toContain('exists already');
    expect(newCodeProblem(codeSystem, 'sports-medicine', 'Sports medicine')).toBeUndefined();
  });
});
