import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { loadFhirDefinitions, profileRegistry } from '.';
import { ProfileRegistry } from './profile-registry';
import { generateSnapshot, SnapshotError } from './snapshot-generator';

beforeAll(() => loadFhirDefinitions());

const lookup = (url: string) => profileRegistry.lookup(url);
const profile = (type: string, elements: ElementDefinition[]): StructureDefinition => ({
  resourceType: 'StructureDefinition',
  url: `http://example.org/StructureDefinition/test-${type}`,
  name: 'Test',
  status: 'draft',
  kind: 'resource',
  abstract: false,
  type,
  baseDefinition: `http://hl7.org/fhir/StructureDefinition/${type}`,
  derivation: 'constraint',
  differential: { element: elements },
});
const byId = (sd: StructureDefinition, id: string) => sd.snapshot?.element?.find((e) => e.id === id);

describe('snapshot generation from differentials (profiling.html#snapshot)', () => {
  test('merges constraints into the base elements and keeps the base element order and definitions', () => {
    const sd = generateSnapshot(
      profile('Patient', [{ id: 'Patient.birthDate', path: 'Patient.birthDate', min: 1, mustSupport: true }]),
      lookup,
    );
    const base = lookup('http://hl7.org/fhir/StructureDefinition/Patient') as StructureDefinition;
    expect(sd.snapshot?.element?.map((e) => e.id)).toEqual(base.snapshot?.element?.map((e) => e.id));
    expect(byId(sd, 'Patient.birthDate')).toMatchObject({ min: 1, max: '1', mustSupport: true, base: { path: 'Patient.birthDate' } });
  });

  test('a slice is a copy of the sliced element with its original cardinality; extension slicing defaults to url', () => {
    const sd = generateSnapshot(
      profile('Patient', [
        {
          id: 'Patient.extension:x',
          path: 'Patient.extension',
          sliceName: 'x',
          min: 1,
          max: '1',
          type: [{ code: 'Extension', profile: ['http://e/x'] }],
        },
      ]),
      lookup,
    );
    expect(byId(sd, 'Patient.extension')?.slicing).toEqual({ discriminator: [{ type: 'value', path: 'url' }], rules: 'open' });
    expect(byId(sd, 'Patient.extension:x')).toMatchObject({ sliceName: 'x', min: 1, max: '1', path: 'Patient.extension' });
  });

  test('children of a complex type and of a backbone slice are unrolled when the differential reaches into them', () => {
    const sd = generateSnapshot(
      profile('ServiceRequest', [
        { id: 'ServiceRequest.occurrence[x]', path: 'ServiceRequest.occurrence[x]', type: [{ code: 'Period' }] },
        { id: 'ServiceRequest.occurrence[x].start', path: 'ServiceRequest.occurrence[x].start', min: 1 },
      ]),
      lookup,
    );
    expect(byId(sd, 'ServiceRequest.occurrence[x].start')).toMatchObject({ min: 1, path: 'ServiceRequest.occurrence[x].start' });
    expect(byId(sd, 'ServiceRequest.occurrence[x].end')).toMatchObject({ min: 0 });
  });

  test('loosening cardinality, adding a type, an unknown element and a slice before its slicing are errors', () => {
    const fails = (elements: ElementDefinition[], message: RegExp) =>
      expect(() => generateSnapshot(profile('Patient', elements), lookup)).toThrow(message);
    fails([{ id: 'Patient.birthDate', path: 'Patient.birthDate', max: '*' }], /max \* is above the base max 1/);
    fails([{ id: 'Patient.gender', path: 'Patient.gender', min: 2 }], /min 2 is above max 1/);
    fails(
      [{ id: 'Patient.birthDate', path: 'Patient.birthDate', type: [{ code: 'string' }] }],
      /type string is not one of the base types date/,
    );
    fails([{ id: 'Patient.favouriteColour', path: 'Patient.favouriteColour' }], /not in the base|not defined/);
    fails([{ id: 'Patient.name:x', path: 'Patient.name', sliceName: 'x' }], /before the slicing/);
    fails([{ id: 'Patient.deceased[x].start', path: 'Patient.deceased[x].start' }], /has 2 types/);
  });

  test('the registry refuses unsupported discriminators and invariants that are not FHIRPath', () => {
    const registry = new ProfileRegistry(lookup);
    const sliced = profile('Patient', [
      { id: 'Patient.name', path: 'Patient.name', slicing: { discriminator: [{ type: 'exists', path: 'given' }], rules: 'open' } },
    ]);
    expect(() => registry.load([sliced])).toThrow(SnapshotError);
    const badInvariant = profile('Patient', [
      { id: 'Patient', path: 'Patient', constraint: [{ key: 'x-1', severity: 'error', human: 'x', expression: 'name.where(' }] },
    ]);
    expect(() => registry.load([badInvariant])).toThrow(/not valid FHIRPath/);
  });
});
