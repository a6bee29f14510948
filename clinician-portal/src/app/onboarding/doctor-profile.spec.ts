import type { Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { practitionerWith, profileFrom, roleWith, verificationState, type DoctorProfile } from './doctor-profile';

const EXT = 'https://medbuddy.dev/fhir/StructureDefinition/';
const STORED: Practitioner & { id: string } = {
  resourceType: 'Practitioner',
  id: 'd1',
  meta: { versionId: '3' },
  active: false,
  name: [{ given: ['James'], family: 'Wilson' }],
  telecom: [{ system: 'email', value: 'wilson@example.org' }],
  extension: [{ url: `${EXT}verification-status`, valueCode: 'pending' }],
};
const PROFILE: DoctorProfile = {
  givenName: ' James  Evan ',
  familyName: 'Wilson ',
  phone: '+49 30 1',
  qualifications: [{ title: 'MD', issuer: 'Charité', start: '2011-07-01', end: '', licenceNumber: 'L-1' }],
  specialty: { code: 'cardiology', display: 'Cardiology' },
  languages: ['en', 'de'],
  fee: 55,
  currency: 'EUR',
  yearsOfExperience: 12,
  biography: 'Prevention first.',
};

describe('doctor profile', () => {
  it('applies the profile to the Practitioner, keeping active, e-mail and the verification status', () => {
    const practitioner = practitionerWith(STORED, PROFILE);
    expect(practitioner.active).toBe(false);
    expect(practitioner.extension).toEqual(STORED.extension);
    expect(practitioner.meta?.versionId).toBe('3');
    expect(practitioner.name).toEqual([{ use: 'official', given: ['James', 'Evan'], family: 'Wilson' }]);
    expect(practitioner.telecom).toEqual([
      { system: 'email', value: 'wilson@example.org' },
      { system: 'phone', value: '+49 30 1', use: 'work' },
    ]);
    expect(practitioner.qualification).toEqual([
      { identifier: [{ value: 'L-1' }], code: { text: 'MD' }, period: { start: '2011-07-01' }, issuer: { display: 'Charité' } },
    ]);
    expect(practitioner.communication?.map((c) => c.coding?.[0]?.code)).toEqual(['en', 'de']);
  });

  it('writes the role with specialty and extensions, keeping the rating the server maintains', () => {
    const stored: PractitionerRole = {
      resourceType: 'PractitionerRole',
      id: 'r1',
      extension: [
        { url: `${EXT}average-rating`, valueDecimal: 4.5 },
        { url: `${EXT}consultation-fee`, valueMoney: { value: 10, currency: 'EUR' } },
      ],
    };
    const role = roleWith(stored, 'Practitioner/d1', PROFILE);
    expect(role.id).toBe('r1');
    expect(role.active).toBe(true);
    expect(role.practitioner).toEqual({ reference: 'Practitioner/d1' });
    expect(role.specialty?.[0]?.coding?.[0]).toEqual({
      system: 'https://medbuddy.dev/fhir/CodeSystem/specialty',
      code: 'cardiology',
      display: 'Cardiology',
    });
    expect(role.extension).toEqual([
      { url: `${EXT}average-rating`, valueDecimal: 4.5 },
      { url: `${EXT}consultation-fee`, valueMoney: { value: 55, currency: 'EUR' } },
      { url: `${EXT}consultation-language`, valueCode: 'en' },
      { url: `${EXT}consultation-language`, valueCode: 'de' },
      { url: `${EXT}years-of-experience`, valueInteger: 12 },
      { url: `${EXT}biography`, valueMarkdown: 'Prevention first.' },
    ]);
  });

  it('reads back what it wrote', () => {
    const profile = profileFrom(practitionerWith(STORED, PROFILE), roleWith(undefined, 'Practitioner/d1', PROFILE));
    expect(profile).toEqual({ ...PROFILE, givenName: 'James Evan', familyName: 'Wilson' });
  });

  it('tells the verification state from the extension, else from active', () => {
    expect(verificationState(STORED)).toBe('pending');
    expect(verificationState({ ...STORED, extension: [{ url: `${EXT}verification-status`, valueCode: 'suspended' }] })).toBe('suspended');
    expect(verificationState({ resourceType: 'Practitioner', active: true })).toBe('verified');
    expect(verificationState({ resourceType: 'Practitioner' })).toBe('pending');
  });
});
