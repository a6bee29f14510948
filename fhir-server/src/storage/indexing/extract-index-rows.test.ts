import type { Resource } from '@medplum/fhirtypes';
import { createSearchParameterCatalog } from '../../definitions';
import { extractIndexRows } from './extract-index-rows';
import { indexedParametersOf } from './indexed-parameters';
import type { IndexRows, IndexTable } from './index-rows';

const catalog = createSearchParameterCatalog();
const BASE = 'http://medbuddy.test/fhir';

function rowsOf(resource: Resource, table: IndexTable, param: string): unknown[] {
  const rows = extractIndexRows(resource, catalog, { baseUrl: BASE })[table] as IndexRows[IndexTable];
  return rows.filter((row) => row.param === param).map(({ param: _param, grp: _grp, ...rest }) => rest);
}

describe('index rows per search parameter type (search.html)', () => {
  const patient: Resource = {
    resourceType: 'Patient',
    name: [{ family: 'Müller', given: ['Anna', 'Maria'], prefix: ['Dr.'], text: 'Dr. Anna Maria Müller' }],
    address: [{ line: ['1 Rue de la Paix'], city: 'Paris', country: 'FR' }],
    gender: 'female',
    active: true,
    birthDate: '1980-05',
    identifier: [{ system: 'urn:mrn', value: 'A-1', type: { text: 'MRN' } }],
    telecom: [{ system: 'email', value: 'anna@example.org' }],
    generalPractitioner: [
      { reference: 'Practitioner/d1' },
      { reference: `${BASE}/Organization/o1` },
      { reference: 'http://elsewhere.org/fhir/Practitioner/x' },
    ],
    managingOrganization: { reference: '#contained' },
  };

  test('string: each part of a HumanName separately, normalised, with the text as written', () => {
    expect(rowsOf(patient, 'string', 'name')).toEqual([
      { value: 'dr. anna maria muller', raw: 'Dr. Anna Maria Müller' },
      { value: 'muller', raw: 'Müller' },
      { value: 'anna', raw: 'Anna' },
      { value: 'maria', raw: 'Maria' },
      { value: 'dr.', raw: 'Dr.' },
    ]);
    expect(rowsOf(patient, 'string', 'address')).toEqual([
      { value: '1 rue de la paix', raw: '1 Rue de la Paix' },
      { value: 'paris', raw: 'Paris' },
      { value: 'fr', raw: 'FR' },
    ]);
  });

  test('string: phonetic parameters store a Soundex code per word', () => {
    expect(rowsOf(patient, 'string', 'phonetic').map((row) => (row as { value: string }).value)).toEqual(['D600', 'A500', 'M600', 'M460']);
  });

  test('token: codes, booleans, identifiers with system, contact points with their system', () => {
    expect(rowsOf(patient, 'token', 'gender')).toEqual([{ system: null, code: 'female', display: null }]);
    expect(rowsOf(patient, 'token', 'active')).toEqual([{ system: null, code: 'true', display: null }]);
    expect(rowsOf(patient, 'token', 'identifier')).toEqual([{ system: 'urn:mrn', code: 'A-1', display: 'mrn' }]);
    expect(rowsOf(patient, 'token', 'email')).toEqual([{ system: 'email', code: 'anna@example.org', display: null }]);
  });

  test('token: a typed identifier also gives a row per type coding, for :of-type', () => {
    const typed: Resource = {
      resourceType: 'Patient',
      identifier: [
        {
          system: 'urn:mrn',
          value: 'A-1',
          type: { coding: [{ system: 'urn:v2-0203', code: 'MR' }, { code: 'local' }, { system: 'urn:v2-0203', display: 'no code' }] },
        },
        { system: 'urn:ssn', value: '123', type: { text: 'untyped' } },
      ],
    };
    expect(rowsOf(typed, 'token', 'identifier:of-type')).toEqual([
      { system: 'urn:v2-0203', code: 'MR|A-1', display: null },
      { system: null, code: 'local|A-1', display: null },
    ]);
    expect(rowsOf(patient, 'token', 'identifier:of-type')).toEqual([]);
  });

  test('token: a CodeableConcept gives its codings and its text (for :text)', () => {
    const condition: Resource = {
      resourceType: 'Condition',
      subject: { reference: 'Patient/p1' },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '25064002', display: 'Headache' }], text: 'Bad headache' },
    };
    expect(rowsOf(condition, 'token', 'code')).toEqual([
      { system: 'http://snomed.info/sct', code: '25064002', display: 'headache' },
      { system: null, code: null, display: 'bad headache' },
    ]);
  });

  test('date: the range a value covers; a Period open at the end reaches infinity', () => {
    expect(rowsOf(patient, 'date', 'birthdate')).toEqual([{ low: '1980-05-01T00:00:00.000Z', high: '1980-05-31T23:59:59.999Z' }]);
    const encounter: Resource = {
      resourceType: 'Encounter',
      status: 'in-progress',
      class: { code: 'VR' },
      period: { start: '2026-01-01T10:00:00Z' },
    };
    expect(rowsOf(encounter, 'date', 'date')).toEqual([{ low: '2026-01-01T10:00:00.000Z', high: 'infinity' }]);
  });

  test('reference: relative and own-server absolute references are local; others keep their URL; contained ones are skipped', () => {
    expect(rowsOf(patient, 'reference', 'general-practitioner')).toEqual([
      { target_type: 'Practitioner', target_id: 'd1', url: 'Practitioner/d1' },
      { target_type: 'Organization', target_id: 'o1', url: 'Organization/o1' },
      { target_type: null, target_id: null, url: 'http://elsewhere.org/fhir/Practitioner/x' },
    ]);
    expect(rowsOf(patient, 'reference', 'organization')).toEqual([]);
  });

  test('quantity: as written plus canonical UCUM; number: the value itself', () => {
    const observation: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'dose' },
      valueQuantity: { value: 5, unit: 'milligram', system: 'http://unitsofmeasure.org', code: 'mg' },
    };
    expect(rowsOf(observation, 'quantity', 'value-quantity')).toEqual([
      { low: 5, high: 5, system: 'http://unitsofmeasure.org', code: 'mg', unit: 'milligram' },
      { low: 0.005, high: 0.005, system: 'urn:medbuddy:ucum-canonical', code: 'g', unit: null },
    ]);
    const risk: Resource = {
      resourceType: 'RiskAssessment',
      status: 'final',
      subject: { reference: 'Patient/p1' },
      prediction: [{ probabilityDecimal: 0.25 }],
    };
    expect(rowsOf(risk, 'number', 'probability')).toEqual([{ low: 0.25, high: 0.25 }]);
  });

  test('uri: values as written', () => {
    const document: Resource = {
      resourceType: 'DocumentReference',
      status: 'current',
      content: [{ attachment: { url: 'http://files.example.org/doc.pdf' } }],
    };
    expect(rowsOf(document, 'uri', 'location')).toEqual([{ value: 'http://files.example.org/doc.pdf' }]);
  });

  test('composite: the components of one value share a group number', () => {
    const observation: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120, code: 'mm[Hg]' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 80, code: 'mm[Hg]' } },
      ],
    };
    const rows = extractIndexRows(observation, catalog);
    const codes = rows.token.filter((r) => r.param === 'component-code-value-quantity#0').map((r) => [r.grp, r.code]);
    const values = rows.quantity.filter((r) => r.param === 'component-code-value-quantity#1').map((r) => [r.grp, r.low]);
    expect(codes).toEqual([
      [expect.any(Number), '8480-6'],
      [expect.any(Number), '8462-4'],
    ]);
    expect(values).toEqual([
      [codes[0][0], 120],
      [codes[1][0], 80],
    ]);
    expect(codes[0][0]).not.toBe(codes[1][0]);
  });

  test('meta: _tag, _security and _profile of every resource', () => {
    const tagged: Resource = {
      resourceType: 'Patient',
      meta: {
        tag: [{ system: 'urn:t', code: 'vip' }],
        security: [{ system: 'urn:s', code: 'R' }],
        profile: ['http://medbuddy.org/Patient'],
      },
    };
    expect(rowsOf(tagged, 'token', '_tag')).toEqual([{ system: 'urn:t', code: 'vip', display: null }]);
    expect(rowsOf(tagged, 'token', '_security')).toEqual([{ system: 'urn:s', code: 'R', display: null }]);
    expect(rowsOf(tagged, 'uri', '_profile')).toEqual([{ value: 'http://medbuddy.org/Patient' }]);
  });
});

describe('reference parameters narrowed to one target type (indexed-parameters.ts referenceDerivation)', () => {
  test('their local rows are not stored twice: the source parameter already holds them', () => {
    const observation: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'Patient/p1' },
    };
    expect(rowsOf(observation, 'reference', 'subject')).toEqual([{ target_type: 'Patient', target_id: 'p1', url: 'Patient/p1' }]);
    expect(rowsOf(observation, 'reference', 'patient')).toEqual([]);
    const audit: Resource = {
      resourceType: 'AuditEvent',
      type: { code: 'rest' },
      recorded: '2026-11-26T00:00:00Z',
      agent: [{ who: { reference: 'Patient/p1' }, requestor: true }],
      source: { observer: { display: 'server' } },
      entity: [{ what: { reference: 'Patient/p2' } }, { what: { reference: 'Observation/o1' } }],
    };
    expect(rowsOf(audit, 'reference', 'patient')).toEqual([]);
    expect(rowsOf(audit, 'reference', 'agent')).toEqual([{ target_type: 'Patient', target_id: 'p1', url: 'Patient/p1' }]);
    expect(rowsOf(audit, 'reference', 'entity')).toHaveLength(2);
  });

  test('rows whose target is not local (another server, a conditional reference) are kept under the parameter', () => {
    const elsewhere: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'http://elsewhere.org/fhir/Patient/9' },
    };
    expect(rowsOf(elsewhere, 'reference', 'patient')).toEqual([
      { target_type: null, target_id: null, url: 'http://elsewhere.org/fhir/Patient/9' },
    ]);
    expect(rowsOf(elsewhere, 'reference', 'subject')).toEqual([
      { target_type: null, target_id: null, url: 'http://elsewhere.org/fhir/Patient/9' },
    ]);
  });

  test('only parameters made of whole source expressions narrowed to one type are derived', () => {
    const derived = (type: string) =>
      Object.fromEntries(
        indexedParametersOf(catalog, type)
          .filter((p) => p.derived)
          .map((p) => [p.code, p.derived]),
      );
    expect(derived('AuditEvent')).toEqual({ patient: { resourceType: 'AuditEvent', sources: ['agent', 'entity'], targetType: 'Patient' } });
    expect(derived('Appointment')).toEqual({
      location: { resourceType: 'Appointment', sources: ['actor'], targetType: 'Location' },
      patient: { resourceType: 'Appointment', sources: ['actor'], targetType: 'Patient' },
      practitioner: { resourceType: 'Appointment', sources: ['actor'], targetType: 'Practitioner' },
    });
    // Patient `general-practitioner` has no narrowed branch; Encounter `subject` is a source, not derived.
    expect(derived('Patient')).toEqual({});
    expect(Object.keys(derived('Encounter')).sort()).toEqual(['patient', 'practitioner']);
  });
});
