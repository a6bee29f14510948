import type { Resource } from '@medplum/fhirtypes';
import { elementIndex, loadFhirDefinitions } from '../../definitions';
import { requiredBindingIssues } from './required-bindings';
import { readSampleBundle, sampleBundleFiles } from '../../../test/setup/samples';

beforeAll(() => loadFhirDefinitions());

const issuesOf = (resource: unknown) => requiredBindingIssues(resource as Resource, elementIndex).map((i) => [i.expression?.[0], i.code]);

describe('required bindings (terminologies.html#required)', () => {
  test('a top-level code outside its value set is reported with its path', () => {
    expect(issuesOf({ resourceType: 'Patient', gender: 'robot' })).toEqual([['Patient.gender', 'code-invalid']]);
    expect(issuesOf({ resourceType: 'Patient', gender: 'female' })).toEqual([]);
  });

  test('codes inside datatypes, backbone elements and choice types are checked', () => {
    expect(
      issuesOf({
        resourceType: 'Patient',
        telecom: [{ system: 'phone' }, { system: 'pigeon' }],
        contact: [{ gender: 'x' }],
        name: [{ use: 'nickname' }],
      }),
    ).toEqual([
      ['Patient.telecom[1].system', 'code-invalid'],
      ['Patient.contact[0].gender', 'code-invalid'],
    ]);
    expect(issuesOf({ resourceType: 'Observation', status: 'done', code: { text: 'x' }, valueQuantity: { comparator: '~' } })).toEqual([
      ['Observation.status', 'code-invalid'],
      ['Observation.valueQuantity.comparator', 'code-invalid'],
    ]);
  });

  test('recursive elements (contentReference) and contained resources are walked', () => {
    expect(
      issuesOf({
        resourceType: 'Questionnaire',
        status: 'active',
        item: [{ linkId: '1', type: 'group', item: [{ linkId: '1.1', type: 'essay' }] }],
        contained: [{ resourceType: 'Patient', gender: 'robot' }],
      }),
    ).toEqual([
      ['Questionnaire.item[0].item[0].type', 'code-invalid'],
      ['Questionnaire.contained[0].gender', 'code-invalid'],
    ]);
  });

  test('every Synthea sample resource passes', () => {
    for (const file of sampleBundleFiles()) {
      for (const entry of readSampleBundle(file).entry ?? []) {
        const resource = entry.resource as Resource;
        expect([resource.resourceType, issuesOf(resource)]).toEqual([resource.resourceType, []]);
      }
    }
  });
});
