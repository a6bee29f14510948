import type { Observation, Resource } from '@medplum/fhirtypes';
import { elementIndex, loadFhirDefinitions } from '../../definitions';
import { readSampleBundle, sampleBundleFiles } from '../../../test/setup/samples';
import { elementValueIssues } from './element-values';

beforeAll(() => loadFhirDefinitions());

const issuesOf = (resource: unknown) => elementValueIssues(resource as Resource, elementIndex).map((i) => [i.expression?.[0], i.code]);

const HEART_RATE: Observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: 'Heart rate' },
  subject: { reference: 'Patient/p1' },
  valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
};

/** HEART_RATE with the value at `path` (property names and array indexes) replaced. */
function observation(path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(HEART_RATE) as unknown as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) {
    node = node[step] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]] = value;
  return copy;
}

describe('values the @medplum/core validator lets through (json.html, datatypes.html)', () => {
  test('an object, array or number where a string primitive belongs', () => {
    expect(issuesOf(observation(['code', 'coding', 0, 'code'], {}))).toEqual([['Observation.code.coding[0].code', 'structure']]);
    expect(issuesOf(observation(['code', 'text'], ['a']))).toEqual([['Observation.code.text', 'structure']]);
    expect(issuesOf(observation(['subject', 'reference'], 5))).toEqual([['Observation.subject.reference', 'structure']]);
    expect(issuesOf(observation(['valueQuantity', 'value'], {}))).toEqual([['Observation.valueQuantity.value', 'structure']]);
  });

  test('a single object where an array belongs and a non-object where a complex type belongs', () => {
    expect(issuesOf(observation(['code', 'coding'], { system: 'http://loinc.org', code: '8867-4' }))).toEqual([
      ['Observation.code.coding', 'structure'],
    ]);
    // An empty array is tolerated, as the @medplum/core validator does: it holds nothing to check.
    expect(issuesOf(observation(['code', 'coding'], []))).toEqual([]);
    expect(issuesOf(observation(['subject'], 'Patient/p1'))).toEqual([['Observation.subject', 'structure']]);
  });

  test('empty strings, control characters and numbers beyond a double', () => {
    expect(issuesOf(observation(['code', 'coding', 0, 'code'], ''))).toEqual([['Observation.code.coding[0].code', 'value']]);
    expect(issuesOf(observation(['code', 'coding', 0, 'system'], 'http://loinc.org\u0000'))).toEqual([
      ['Observation.code.coding[0].system', 'value'],
    ]);
    expect(issuesOf(observation(['valueQuantity', 'value'], Infinity))).toEqual([['Observation.valueQuantity.value', 'value']]);
    // Tab, line feed and carriage return are allowed.
    expect(issuesOf(observation(['code', 'text'], 'Heart\trate\r\n'))).toEqual([]);
  });

  test("a primitive's _x companion that is no object, or for a list no array of objects and nulls (json.html#primitive)", () => {
    expect(issuesOf({ ...HEART_RATE, _status: 'x' })).toEqual([['Observation._status', 'structure']]);
    expect(issuesOf({ ...HEART_RATE, _id: ['x'] })).toEqual([['Observation._id', 'structure']]);
    expect(issuesOf(observation(['code', 'coding', 0, '_code'], 5))).toEqual([['Observation.code.coding[0]._code', 'structure']]);
    const patient = { resourceType: 'Patient', name: [{ given: ['a', 'b'], _given: { id: 'x' } }] };
    expect(issuesOf(patient)).toEqual([['Patient.name[0]._given', 'structure']]);
    expect(issuesOf({ ...patient, name: [{ given: ['a', 'b'], _given: [null, { id: 'x' }] }] })).toEqual([]);
    expect(issuesOf({ ...HEART_RATE, _status: { extension: [{ url: 'urn:x', valueString: 'y' }] } })).toEqual([]);
  });

  test('a dateTime with a time but no time zone (datatypes.html#dateTime)', () => {
    expect(issuesOf(observation(['effectiveDateTime'], '2026-11-27T10:00:00'))).toEqual([['Observation.effectiveDateTime', 'value']]);
    expect(issuesOf(observation(['effectivePeriod'], { start: '2026-11-27T10:00:00.250' }))).toEqual([
      ['Observation.effectivePeriod.start', 'value'],
    ]);
    for (const valid of ['2026', '2026-11', '2026-11-27', '2026-11-27T10:00:00Z', '2026-11-27T10:00:00.250+01:00']) {
      expect(issuesOf(observation(['effectiveDateTime'], valid))).toEqual([]);
    }
  });

  test('a primitive array may hold null where its extensions stand alone (json.html#primitive)', () => {
    const patient = { resourceType: 'Patient', name: [{ given: [null, 'Ann'], _given: [{ extension: [] }, null] }] };
    expect(issuesOf(patient)).toEqual([]);
  });

  test('a choice element with two values, or a typed property that is none of its types (formats.html#choice)', () => {
    expect(issuesOf({ ...HEART_RATE, valueString: '72' })).toEqual([['Observation.valueString', 'structure']]);
    expect(issuesOf({ ...HEART_RATE, valueBogus: 1 })).toEqual([['Observation.valueBogus', 'structure']]);
    const extension = { url: 'http://example.org/x', valueString: 'a', valueCode: 'b' };
    expect(issuesOf({ ...HEART_RATE, code: { ...HEART_RATE.code, extension: [extension] } })).toEqual([
      ['Observation.code.extension[0].valueCode', 'structure'],
    ]);
    const parameters = { resourceType: 'Parameters', parameter: [{ name: 'a', part: [{ name: 'b', valueString: 'x', valueUri: 'y' }] }] };
    expect(issuesOf(parameters)).toEqual([['Parameters.parameter[0].part[0].valueUri', 'structure']]);
    // Elements whose names only begin like a choice are not one (Observation.effective[x] and no effectiveX).
    expect(issuesOf({ ...HEART_RATE, effectiveDateTime: '2020-01-01', _effectiveDateTime: { id: 'x' } })).toEqual([]);
  });

  test('no issue in any resource of the Synthea samples', () => {
    for (const file of sampleBundleFiles()) {
      for (const entry of readSampleBundle(file).entry ?? []) {
        expect({ file, resource: entry.resource?.resourceType, issues: issuesOf(entry.resource) }).toMatchObject({ issues: [] });
      }
    }
  });
});
