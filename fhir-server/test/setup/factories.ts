import type { Patient } from '@medplum/fhirtypes';

export function makePatient(overrides: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    name: [{ family: 'Chalmers', given: ['Peter', 'James'] }],
    gender: 'male',
    birthDate: '1974-12-25',
    ...overrides,
  };
}
