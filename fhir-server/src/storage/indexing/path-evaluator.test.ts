import type { Resource } from '@medplum/fhirtypes';
import { readSampleBundle, sampleBundleFiles } from '../../../test/setup/samples';
import { createSearchParameterCatalog } from '../../definitions';
import { extractIndexRows } from './extract-index-rows';
import { indexedParametersOf } from './indexed-parameters';
import { compilePathEvaluator } from './path-evaluator';

const catalog = createSearchParameterCatalog();
const resources: Resource[] = sampleBundleFiles().flatMap((file) =>
  (readSampleBundle(file).entry ?? []).map((e) => e.resource as Resource),
);
const telemedicine: Resource[] = [
  {
    resourceType: 'Appointment',
    status: 'booked',
    participant: [
      { actor: { reference: 'Patient/p1' }, status: 'accepted' },
      { actor: { reference: 'Practitioner/d1' }, status: 'accepted' },
    ],
    serviceType: [{ coding: [{ system: 'http://snomed.info/sct', code: '394802001' }], text: 'General medicine' }],
    start: '2026-12-01T09:00:00Z',
  },
  {
    resourceType: 'Patient',
    deceasedDateTime: '2020-01-01',
    telecom: [
      { system: 'email', value: 'a@b.c' },
      { system: 'phone', value: '123' },
    ],
  },
  {
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'x' },
    valueQuantity: { value: 5, code: 'mg', system: 'http://unitsofmeasure.org' },
  },
];

/**
 * @medplum/core's FHIRPath implements the `.as(T)` function as the identity (only the `as`
 * operator filters), so `Condition.onset.as(string)` also yields onsetDateTime there. The
 * direct walk follows the FHIRPath spec; those parameters are compared separately below.
 */
const MEDPLUM_AS_FUNCTION = new Set(['abatement-string', 'onset-info']);

function withoutAsFunctionParams(rows: ReturnType<typeof extractIndexRows>): string {
  return JSON.stringify({ ...rows, string: rows.string.filter((row) => !MEDPLUM_AS_FUNCTION.has(row.param)) });
}

describe('direct path evaluation (search parameter expressions without the FHIRPath engine)', () => {
  test('indexes every Synthea sample and telemedicine fixture exactly as FHIRPath does', () => {
    const differences: string[] = [];
    for (const resource of [...resources, ...telemedicine]) {
      const direct = extractIndexRows(resource, catalog);
      const fhirPath = extractIndexRows(resource, catalog, { fhirPathOnly: true });
      if (withoutAsFunctionParams(direct) !== withoutAsFunctionParams(fhirPath)) {
        differences.push(`${resource.resourceType}/${resource.id}`);
      }
    }
    expect(differences).toEqual([]);
    expect(resources.length).toBeGreaterThan(1000);
  });

  test('.as(T) keeps only the values of type T (FHIRPath: as() filters by type)', () => {
    const rows = extractIndexRows({ resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetDateTime: '2020-01-01' }, catalog);
    expect(rows.string.filter((row) => row.param === 'onset-info')).toEqual([]);
    const withString = extractIndexRows(
      { resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetString: 'As a child' },
      catalog,
    );
    expect(withString.string.filter((row) => row.param === 'onset-info').map((row) => row.raw)).toEqual(['As a child']);
  });

  test('where(resolve() is T) also recognises absolute references (FHIRPath resolve() here reads only relative ones)', () => {
    const rows = extractIndexRows(
      {
        resourceType: 'Appointment',
        status: 'booked',
        participant: [{ actor: { reference: 'http://example.org/fhir/Location/l1' }, status: 'accepted' }],
      },
      catalog,
    );
    expect(rows.reference.filter((row) => row.param === 'location').map((row) => row.url)).toEqual(['http://example.org/fhir/Location/l1']);
  });

  test('covers the plain paths, where() filters and casts of the base parameters', () => {
    const params = ['Patient', 'Appointment', 'Observation', 'Slot', 'Encounter'].flatMap((type) => indexedParametersOf(catalog, type));
    const direct = params.filter((p) => p.path).length;
    expect(direct / params.length).toBeGreaterThan(0.9);
  });

  test('declines expressions it cannot evaluate exactly, leaving them to FHIRPath', () => {
    expect(compilePathEvaluator('Patient.deceased.exists() and Patient.deceased != false', 'Patient')).toBeUndefined();
    expect(compilePathEvaluator('Patient.name.where(use = %x)', 'Patient')).toBeUndefined();
    expect(compilePathEvaluator('Patient.nonsense', 'Patient')).toBeUndefined();
    expect(
      compilePathEvaluator(
        "Patient.telecom.where(system='email')",
        'Patient',
      )?.({
        telecom: [
          { system: 'email', value: 'x' },
          { system: 'phone', value: 'y' },
        ],
      }),
    ).toEqual([{ type: 'ContactPoint', value: { system: 'email', value: 'x' } }]);
    expect(compilePathEvaluator('(Observation.value as Quantity)', 'Observation')?.({ valueQuantity: { value: 1 } })).toEqual([
      { type: 'Quantity', value: { value: 1 } },
    ]);
  });
});
