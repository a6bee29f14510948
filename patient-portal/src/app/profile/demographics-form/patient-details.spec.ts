import type { Patient } from '@medplum/fhirtypes';
import { TIME_ZONE_EXTENSION } from '../../patient/time-zone';
import { applyDetails, detailsOf } from './patient-details';

describe('patient details of the profile form', () => {
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'p1',
    name: [
      { given: ['Maria'], family: 'Garcia' },
      { use: 'maiden', family: 'Lopez' },
    ],
    telecom: [{ system: 'email', value: 'maria@example.org' }],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en' }] } }],
  };

  it('reads the fields, with the fallback zone until one is chosen', () => {
    expect(detailsOf(patient, 'Europe/Madrid')).toEqual({
      givenName: 'Maria',
      familyName: 'Garcia',
      gender: '',
      birthDate: '',
      phone: '',
      language: 'en',
      timeZone: 'Europe/Madrid',
    });
  });

  it('writes the fields back and keeps what the form does not show', () => {
    const updated = applyDetails(
      patient,
      {
        givenName: 'Maria José',
        familyName: 'Garcia',
        gender: 'female',
        birthDate: '1990-02-03',
        phone: '+34 600 000 000',
        language: 'es',
        timeZone: 'Europe/Madrid',
      },
      'Spanish',
    );
    expect(updated.name).toEqual([
      { given: ['Maria', 'José'], family: 'Garcia' },
      { use: 'maiden', family: 'Lopez' },
    ]);
    expect(updated.telecom).toEqual([
      { system: 'email', value: 'maria@example.org' },
      { system: 'phone', value: '+34 600 000 000', use: 'mobile' },
    ]);
    expect(updated.communication).toEqual([
      { language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es', display: 'Spanish' }] }, preferred: true },
      { language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en' }] } },
    ]);
    expect(updated.extension).toEqual([{ url: TIME_ZONE_EXTENSION, valueCode: 'Europe/Madrid' }]);
    expect(updated.gender).toBe('female');
    expect(updated.birthDate).toBe('1990-02-03');
  });
});
