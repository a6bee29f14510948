import type { Observation } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../definitions';
import { matchesCriteria, parseCriteria } from './subscription-criteria';

const TYPES = ['Observation', 'Bundle', 'AuditEvent'];

beforeAll(() => loadFhirDefinitions());

function matches(criteria: string, resource: Observation): boolean {
  const parsed = parseCriteria(criteria, TYPES);
  if (!parsed.ok) {
    throw new Error(parsed.problem);
  }
  return matchesCriteria(resource, parsed);
}

const observation: Observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'Blood pressure' },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Taken at the <b>Zürich</b> clinic</div>' },
};

test('_content holds every text of the version, _text its narrative only; all words of an alternative must occur', () => {
  expect(matches('Observation?_content=blood%20pressure', observation)).toBe(true);
  expect(matches('Observation?_content=zurich', observation)).toBe(true);
  expect(matches('Observation?_text=zurich%20clinic', observation)).toBe(true);
  expect(matches('Observation?_text=blood', observation)).toBe(false);
  expect(matches('Observation?_content=blood%20sugar', observation)).toBe(false);
  expect(matches('Observation?_content=sugar,clinic', observation)).toBe(true);
});

test('full-text criteria combine with the other parameters', () => {
  expect(matches('Observation?_content=blood&status=final', observation)).toBe(true);
  expect(matches('Observation?_content=blood&status=amended', observation)).toBe(false);
});

test('refused: modifiers, values without a word, types without the document', () => {
  const problem = (criteria: string) => {
    const parsed = parseCriteria(criteria, TYPES);
    return parsed.ok ? undefined : parsed.problem;
  };
  expect(problem('Observation?_content:missing=true')).toMatch(/no modifiers/);
  expect(problem('Observation?_content=blood,%26%26')).toMatch(/needs a word/);
  expect(problem('Bundle?_text=x')).toMatch(/not supported on Bundle/);
  expect(problem('Bundle?_content=x')).toBeUndefined();
  expect(problem('AuditEvent?_content=x')).toMatch(/not supported on AuditEvent/);
});

test('system|code on a plain code element matches by the system its binding implies, as the search does', () => {
  expect(matches('Observation?status=http://hl7.org/fhir/observation-status|final', observation)).toBe(true);
  expect(matches('Observation?status=http://hl7.org/fhir/observation-status|amended,final', observation)).toBe(true);
  expect(matches('Observation?status:not=http://hl7.org/fhir/observation-status|final', observation)).toBe(false);
  expect(matches('Observation?status=http://example.org/other-statuses|final', observation)).toBe(false);
});
