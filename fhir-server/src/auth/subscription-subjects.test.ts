import { loadFhirDefinitions } from '../definitions';
import { criteriaSubjects } from './subscription-subjects';

beforeAll(() => loadFhirDefinitions());

test('a plain Patient reference in a compartment parameter (or patient) pins the criteria to that patient', () => {
  expect(criteriaSubjects('Appointment?patient=Patient/1&status=booked', 'Patient')).toEqual(['Patient/1']);
  expect(criteriaSubjects('Appointment?actor=Patient/1', 'Patient')).toEqual(['Patient/1']);
  expect(criteriaSubjects('Observation?subject=https://medbuddy.test/fhir/Patient/2', 'Patient')).toEqual(['Patient/2']);
  expect(criteriaSubjects('Observation?subject:Patient=Patient/3', 'Patient')).toEqual(['Patient/3']);
  expect(criteriaSubjects('Appointment?patient=Patient/1&actor=Patient/2', 'Patient')).toEqual(['Patient/1', 'Patient/2']);
});

test('values that do not restrict every match to one patient pin nothing', () => {
  for (const criteria of [
    'Appointment?status=booked',
    'Appointment?patient=Patient/1,Patient/2',
    'Appointment?patient:not=Patient/1',
    'Appointment?patient:missing=false',
    'Appointment?patient=1',
    // Not a compartment parameter of Observation: naming a patient there says nothing about the compartment.
    'Observation?focus=Patient/1',
    'Appointment',
    undefined,
  ]) {
    expect(criteriaSubjects(criteria, 'Patient')).toEqual([]);
  }
});

test('a practitioner is pinned by any plain parameter naming them', () => {
  expect(criteriaSubjects('Appointment?practitioner=Practitioner/7', 'Practitioner')).toEqual(['Practitioner/7']);
  expect(criteriaSubjects('Encounter?participant=Practitioner/8&status=arrived', 'Practitioner')).toEqual(['Practitioner/8']);
  expect(criteriaSubjects('Appointment?practitioner=Practitioner/7,Practitioner/8', 'Practitioner')).toEqual([]);
  expect(criteriaSubjects('Appointment?patient=Patient/1', 'Practitioner')).toEqual([]);
});
