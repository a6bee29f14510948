import type { Resource } from '@medplum/fhirtypes';
import { elementIndex, loadFhirDefinitions } from '../../definitions';
import { requiredBindingIssues } from './required-bindings';

beforeAll(() => loadFhirDefinitions());

const issuesOf = (resource: unknown) =>
  requiredBindingIssues(resource as Resource, elementIndex).map((i) => [i.expression?.[0], i.code]);

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
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const path = jest.requireActual<typeof import('node:path')>('node:path');
    const dir = path.resolve(__dirname, '../../../../../shared/fhir-samples');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const bundle = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      for (const entry of bundle.entry) {
        expect([entry.resource.resourceType, issuesOf(entry.resource)]).toEqual([entry.resource.resourceType, []]);
      }
    }
  });
});
