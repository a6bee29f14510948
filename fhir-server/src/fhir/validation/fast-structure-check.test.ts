import { validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../definitions';
import { readSampleBundle, sampleBundleFiles } from '../../../test/setup/samples';
import { passesFastStructureCheck } from './fast-structure-check';

beforeAll(() => loadFhirDefinitions());

function fullValidatorAccepts(resource: unknown): boolean {
  try {
    validateResource(resource as Resource);
    return true;
  } catch {
    return false;
  }
}

/** One resource of each type in the Synthea samples, plus the scheduling resources the bench writes. */
function sampleResources(): Resource[] {
  const byType = new Map<string, Resource>();
  for (const file of sampleBundleFiles()) {
    for (const entry of readSampleBundle(file).entry ?? []) {
      const resource = entry.resource as Resource;
      if (!byType.has(resource.resourceType)) {
        byType.set(resource.resourceType, resource);
      }
    }
  }
  return [
    ...byType.values(),
    {
      resourceType: 'Appointment',
      status: 'booked',
      start: '2027-03-01T09:00:00.000Z',
      end: '2027-03-01T09:30:00.000Z',
      slot: [{ reference: 'Slot/1' }],
      participant: [{ actor: { reference: 'Patient/1' }, status: 'accepted' }],
    },
    {
      resourceType: 'Slot',
      schedule: { reference: 'Schedule/1' },
      status: 'free',
      start: '2027-03-01T09:00:00Z',
      end: '2027-03-01T09:30:00Z',
    },
    { resourceType: 'Schedule', actor: [{ reference: 'Practitioner/1' }], planningHorizon: { start: '2027-03-01', end: '2027-03-06' } },
    { resourceType: 'PractitionerRole', practitioner: { reference: 'Practitioner/1' }, period: { start: '2020-01-01' }, active: true },
  ];
}

type Json = Record<string, unknown> | unknown[];
const BAD_VALUES: unknown[] = [123, 1.5, -1, 0, true, '', '  ', 'two  spaces', 'x\u0001y', '2020-13-45', null, [], {}, ['x'], { x: 1 }];

/** Every resource obtained by breaking one thing in `resource`: a value, a missing key, an extra key. */
function* mutations(resource: Resource): Generator<unknown> {
  const paths: (string | number)[][] = [];
  const collect = (node: unknown, path: (string | number)[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => collect(item, [...path, i]));
    } else if (node && typeof node === 'object') {
      paths.push(path);
      for (const [key, value] of Object.entries(node)) {
        paths.push([...path, key]);
        collect(value, [...path, key]);
      }
    }
  };
  collect(resource, []);
  const withChange = (path: (string | number)[], change: (parent: Json, key: string | number) => void): unknown => {
    const copy = structuredClone(resource) as unknown as Json;
    let parent: Json = copy;
    for (const key of path.slice(0, -1)) {
      parent = (parent as Record<string, Json>)[key as string];
    }
    change(parent, path[path.length - 1]);
    return copy;
  };
  for (const path of paths) {
    if (path.length === 0) {
      continue;
    }
    const last = path[path.length - 1];
    if (last !== 'resourceType') {
      yield withChange(path, (parent, key) => delete (parent as Record<string, unknown>)[key as string]);
    }
    for (const bad of BAD_VALUES) {
      yield withChange(path, (parent, key) => ((parent as Record<string, unknown>)[key as string] = structuredClone(bad)));
    }
    yield withChange([...path, 'unknownElement'], (parent, key) => {
      if (parent && typeof parent === 'object' && !Array.isArray(parent)) {
        (parent as Record<string, unknown>)[key as string] = 'x';
      }
    });
    yield withChange([...path, 'valueBoolean'], (parent, key) => {
      if (parent && typeof parent === 'object' && !Array.isArray(parent)) {
        (parent as Record<string, unknown>)[key as string] = true;
      }
    });
  }
}

describe('fast structure check (the full validator stays the authority)', () => {
  test('it accepts the valid sample resources, so writes take the fast path', () => {
    const resources = sampleResources();
    for (const resource of resources) {
      expect([resource.resourceType, fullValidatorAccepts(resource)]).toEqual([resource.resourceType, true]);
    }
    const fast = resources.filter((r) => passesFastStructureCheck(r)).map((r) => r.resourceType);
    expect(fast).toEqual(
      expect.arrayContaining([
        'Patient',
        'Practitioner',
        'Organization',
        'Appointment',
        'Slot',
        'Schedule',
        'PractitionerRole',
        'Observation',
        'Encounter',
      ]),
    );
  });

  test('it never accepts what the full validator refuses (every single-point mutation of the samples)', () => {
    let checked = 0;
    let refused = 0;
    for (const resource of sampleResources()) {
      for (const mutated of mutations(resource)) {
        checked++;
        if (passesFastStructureCheck(mutated as Resource)) {
          if (!fullValidatorAccepts(mutated)) {
            throw new Error(`fast check accepted what the validator refuses: ${JSON.stringify(mutated).slice(0, 2000)}`);
          }
        } else {
          refused++;
        }
      }
    }
    expect(checked).toBeGreaterThan(5000);
    expect(refused).toBeGreaterThan(checked / 2);
  });
});
