import type { Practitioner, PractitionerRole, Slot } from '@medplum/fhirtypes';

/** Fixtures for the doctors specs: Dr. Weber, cardiologist in Berlin, and two free slots. */
const EXT = 'https://medbuddy.dev/fhir/StructureDefinition/';

export const WEBER_ROLE: PractitionerRole = {
  resourceType: 'PractitionerRole',
  id: 'r1',
  active: true,
  practitioner: { reference: 'Practitioner/d1' },
  specialty: [{ coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/specialty', code: 'cardiology', display: 'Cardiology' }] }],
  extension: [
    { url: `${EXT}consultation-fee`, valueMoney: { value: 45, currency: 'EUR' } },
    { url: `${EXT}years-of-experience`, valueInteger: 12 },
    { url: `${EXT}consultation-language`, valueCode: 'de' },
    { url: `${EXT}consultation-language`, valueCode: 'en' },
    { url: `${EXT}average-rating`, valueDecimal: 4.7 },
    { url: `${EXT}review-count`, valueUnsignedInt: 38 },
    { url: `${EXT}timezone`, valueCode: 'Europe/Berlin' },
    { url: `${EXT}biography`, valueMarkdown: 'Cardiologist in **Berlin**.\n\nSecond paragraph.' },
  ],
};

export const WEBER: Practitioner = {
  resourceType: 'Practitioner',
  id: 'd1',
  active: true,
  name: [{ prefix: ['Dr.'], given: ['Lukas'], family: 'Weber' }],
  qualification: [{ code: { text: 'Cardiologist' }, issuer: { display: 'Ärztekammer Berlin' }, period: { start: '2012-06-01' } }],
};

export function freeSlot(id: string, start: string, minutes = 20): Slot {
  return {
    resourceType: 'Slot',
    id,
    schedule: { reference: 'Schedule/s1' },
    status: 'free',
    start,
    end: new Date(new Date(start).getTime() + minutes * 60_000).toISOString(),
  };
}
