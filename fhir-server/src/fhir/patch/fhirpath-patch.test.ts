import type { Observation, Parameters, ParametersParameter, Patient } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../definitions';
import { thrownOutcome } from '../../../test/setup/matchers';
import { applyFhirPathPatch, parseFhirPathPatch } from './fhirpath-patch';

/** FHIRPath Patch (http://hl7.org/fhir/R4/fhirpatch.html) on in-memory resources. */
beforeAll(() => loadFhirDefinitions());

type Part = Omit<ParametersParameter, 'name'>;

function operation(type: string, parts: Record<string, Part>): ParametersParameter {
  return {
    name: 'operation',
    part: [{ name: 'type', valueCode: type }, ...Object.entries(parts).map(([name, part]) => ({ name, ...part }))],
  };
}

function patch<T extends Patient | Observation>(resource: T, ...operations: ParametersParameter[]): T {
  return applyFhirPathPatch(resource, parseFhirPathPatch(operations));
}

const failure = thrownOutcome;

const PATIENT: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  birthDate: '1980-02-03',
  name: [
    { use: 'official', family: 'Chalmers', given: ['Peter', 'James'] },
    { use: 'usual', given: ['Jim'] },
  ],
  identifier: [
    { system: 'urn:a', value: '1' },
    { system: 'urn:b', value: '2' },
    { system: 'urn:c', value: '3' },
  ],
};

describe('add', () => {
  test('a primitive to the resource, as the spec example adds birthDate', () => {
    const withoutBirthDate: Patient = { ...PATIENT };
    delete withoutBirthDate.birthDate;
    const added = patch(
      withoutBirthDate,
      operation('add', { path: { valueString: 'Patient' }, name: { valueString: 'birthDate' }, value: { valueDate: '1980-02-03' } }),
    );
    expect(added.birthDate).toBe('1980-02-03');
  });

  test('appends to a list, creating it when absent; a complex value is spelled by parts', () => {
    const contact = operation('add', {
      path: { valueString: 'Patient' },
      name: { valueString: 'contact' },
      value: {
        part: [
          { name: 'name', part: [{ name: 'text', valueString: 'Ann' }] },
          { name: 'gender', valueCode: 'female' },
        ],
      },
    });
    const given = operation('add', {
      path: { valueString: "Patient.name.where(use='usual')" },
      name: { valueString: 'given' },
      value: { valueString: 'Jimmy' },
    });
    const patched = patch(PATIENT, contact, given);
    expect(patched.contact).toEqual([{ name: { text: 'Ann' }, gender: 'female' }]);
    expect(patched.name?.[1].given).toEqual(['Jim', 'Jimmy']);
  });

  test('a repeating element of a part becomes a list even with one value', () => {
    const patched = patch(
      PATIENT,
      operation('add', {
        path: { valueString: 'Patient' },
        name: { valueString: 'telecom' },
        value: {
          part: [
            { name: 'system', valueCode: 'phone' },
            { name: 'value', valueString: '555' },
          ],
        },
      }),
      operation('add', {
        path: { valueString: 'Patient' },
        name: { valueString: 'address' },
        value: { part: [{ name: 'line', valueString: '1 Main St' }] },
      }),
    );
    expect(patched.telecom).toEqual([{ system: 'phone', value: '555' }]);
    expect(patched.address).toEqual([{ line: ['1 Main St'] }]);
  });

  test('to a choice element by its base name, named by the value type', () => {
    const observation: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
    const patched = patch(
      observation,
      operation('add', { path: { valueString: 'Observation' }, name: { valueString: 'value' }, value: { valueString: 'high' } }),
    );
    expect(patched.valueString).toBe('high');
    const typed = patch(
      observation,
      operation('add', {
        path: { valueString: 'Observation' },
        name: { valueString: 'valueQuantity' },
        value: { part: [{ name: 'value', valueDecimal: 5 }] },
      }),
    );
    expect(typed.valueQuantity).toEqual({ value: 5 });
  });

  test('refused: a single element already present, an element the type lacks, no single target', () => {
    expect(
      failure(() =>
        patch(
          PATIENT,
          operation('add', { path: { valueString: 'Patient' }, name: { valueString: 'birthDate' }, value: { valueDate: '1990-01-01' } }),
        ),
      ),
    ).toMatchObject({ status: 422 });
    expect(
      failure(() =>
        patch(
          PATIENT,
          operation('add', { path: { valueString: 'Patient' }, name: { valueString: 'nickname' }, value: { valueString: 'x' } }),
        ),
      ),
    ).toMatchObject({
      status: 422,
      text: 'Patient has no element "nickname"',
    });
    expect(
      failure(() =>
        patch(
          PATIENT,
          operation('add', { path: { valueString: 'Patient.name' }, name: { valueString: 'text' }, value: { valueString: 'x' } }),
        ),
      ),
    ).toMatchObject({
      status: 422,
      text: '"Patient.name" matches 2 elements, not one',
    });
  });
});

describe('insert and move', () => {
  test('insert puts the value at the index of the list; index = length appends', () => {
    const value = {
      part: [
        { name: 'system', valueUri: 'urn:z' },
        { name: 'value', valueString: '0' },
      ],
    };
    const first = patch(PATIENT, operation('insert', { path: { valueString: 'Patient.identifier' }, value, index: { valueInteger: 0 } }));
    expect(first.identifier?.map((i) => i.system)).toEqual(['urn:z', 'urn:a', 'urn:b', 'urn:c']);
    const last = patch(PATIENT, operation('insert', { path: { valueString: 'Patient.identifier' }, value, index: { valueInteger: 3 } }));
    expect(last.identifier?.map((i) => i.system)).toEqual(['urn:a', 'urn:b', 'urn:c', 'urn:z']);
  });

  test('move takes the element at source and puts it at destination', () => {
    const moved = patch(
      PATIENT,
      operation('move', { path: { valueString: 'Patient.identifier' }, source: { valueInteger: 2 }, destination: { valueInteger: 0 } }),
    );
    expect(moved.identifier?.map((i) => i.system)).toEqual(['urn:c', 'urn:a', 'urn:b']);
  });

  test('refused: an index past the end, a path that is no repeating element', () => {
    const value = { valueString: 'x' };
    expect(
      failure(() =>
        patch(PATIENT, operation('insert', { path: { valueString: 'Patient.identifier' }, value, index: { valueInteger: 4 } })),
      ),
    ).toMatchObject({ status: 422 });
    expect(
      failure(() =>
        patch(
          PATIENT,
          operation('move', { path: { valueString: 'Patient.identifier' }, source: { valueInteger: 3 }, destination: { valueInteger: 0 } }),
        ),
      ),
    ).toMatchObject({ status: 422 });
    expect(
      failure(() => patch(PATIENT, operation('insert', { path: { valueString: 'Patient.birthDate' }, value, index: { valueInteger: 0 } }))),
    ).toMatchObject({
      status: 422,
      text: '"Patient.birthDate" is not a repeating element',
    });
  });
});

describe('replace and delete', () => {
  test('replace a primitive, a list item by where() and by [n], a complex element by parts', () => {
    const patched = patch(
      PATIENT,
      operation('replace', { path: { valueString: 'Patient.birthDate' }, value: { valueDate: '1981-01-01' } }),
      operation('replace', { path: { valueString: "Patient.identifier.where(system='urn:b').value" }, value: { valueString: 'two' } }),
      operation('replace', { path: { valueString: 'Patient.name[0].given[1]' }, value: { valueString: 'Jacob' } }),
      operation('replace', { path: { valueString: 'Patient.name.last()' }, value: { part: [{ name: 'text', valueString: 'Jim C.' }] } }),
    );
    expect(patched.birthDate).toBe('1981-01-01');
    expect(patched.identifier?.[1]).toEqual({ system: 'urn:b', value: 'two' });
    expect(patched.name).toEqual([{ use: 'official', family: 'Chalmers', given: ['Peter', 'Jacob'] }, { text: 'Jim C.' }]);
  });

  test("replace drops the replaced primitive's extensions (its _element companion)", () => {
    const extension = [{ url: 'urn:x', valueString: 'estimated' }];
    const patched = patch(
      { ...PATIENT, _birthDate: { extension }, name: [{ given: ['Peter', 'James'], _given: [null, { extension }] }] } as unknown as Patient,
      operation('replace', { path: { valueString: 'Patient.birthDate' }, value: { valueDate: '1981-01-01' } }),
      operation('replace', { path: { valueString: 'Patient.name[0].given[1]' }, value: { valueString: 'Jacob' } }),
    );
    expect(patched).not.toHaveProperty('_birthDate');
    expect(patched.name).toEqual([{ given: ['Peter', 'Jacob'] }]);
  });

  test('a path may start from %resource or $this', () => {
    const patched = patch(
      PATIENT,
      operation('replace', { path: { valueString: '%resource.birthDate' }, value: { valueDate: '1982-01-01' } }),
      operation('delete', { path: { valueString: '$this.identifier[0]' } }),
    );
    expect(patched.birthDate).toBe('1982-01-01');
    expect(patched.identifier).toHaveLength(2);
  });

  test('replace a choice element with a value of another type', () => {
    const observation: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 5 } };
    const patched = patch(
      observation,
      operation('replace', { path: { valueString: 'Observation.value' }, value: { valueString: 'five' } }),
    );
    expect(patched).toEqual({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueString: 'five' });
  });

  test('delete one element, a list item (an emptied list goes), and nothing when the path finds nothing', () => {
    const patched = patch(
      PATIENT,
      operation('delete', { path: { valueString: 'Patient.birthDate' } }),
      operation('delete', { path: { valueString: "Patient.name.where(use='usual')" } }),
      operation('delete', { path: { valueString: 'Patient.name.first().given.first()' } }),
      operation('delete', { path: { valueString: 'Patient.gender' } }),
    );
    expect(patched.birthDate).toBeUndefined();
    expect(patched.name).toEqual([{ use: 'official', family: 'Chalmers', given: ['James'] }]);
    const all = patch(PATIENT, ...[2, 1, 0].map((i) => operation('delete', { path: { valueString: `Patient.identifier[${i}]` } })));
    expect(all).not.toHaveProperty('identifier');
  });

  test('refused: no match for replace, several for delete, the resource itself', () => {
    expect(
      failure(() => patch(PATIENT, operation('replace', { path: { valueString: 'Patient.gender' }, value: { valueCode: 'male' } }))),
    ).toMatchObject({
      status: 422,
      text: '"Patient.gender" matches no element of the resource',
    });
    expect(failure(() => patch(PATIENT, operation('delete', { path: { valueString: 'Patient.identifier' } })))).toMatchObject({
      status: 422,
    });
    expect(failure(() => patch(PATIENT, operation('delete', { path: { valueString: 'Patient' } })))).toMatchObject({ status: 422 });
  });

  test("refused: an object's own machinery is no element", () => {
    for (const path of ['Patient.constructor', 'Patient.__proto__', 'Patient.name[0].constructor']) {
      expect(
        failure(() => patch(PATIENT, operation('replace', { path: { valueString: path }, value: { valueString: 'x' } }))),
      ).toMatchObject({
        status: 422,
      });
    }
    const polluting = { part: [{ name: '__proto__', part: [{ name: 'polluted', valueBoolean: true }] }] };
    expect(
      failure(() =>
        patch(PATIENT, operation('add', { path: { valueString: 'Patient' }, name: { valueString: 'contact' }, value: polluting })),
      ),
    ).toMatchObject({
      status: 400,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

test('operations apply in order to a copy: the input is never changed', () => {
  const before = structuredClone(PATIENT);
  patch(
    PATIENT,
    operation('delete', { path: { valueString: 'Patient.name' + '[0]' } }),
    operation('replace', { path: { valueString: 'Patient.name[0].given[0]' }, value: { valueString: 'J' } }),
  );
  expect(PATIENT).toEqual(before);
  const inOrder = patch(
    PATIENT,
    operation('delete', { path: { valueString: 'Patient.name[0]' } }),
    operation('replace', { path: { valueString: 'Patient.name[0].given[0]' }, value: { valueString: 'J' } }),
  );
  expect(inOrder.name).toEqual([{ use: 'usual', given: ['J'] }]);
});

describe('malformed patches are a 400', () => {
  const cases: [string, Parameters['parameter']][] = [
    ['a parameter other than operation', [{ name: 'op', part: [] }]],
    ['an unknown type', [operation('upsert', { path: { valueString: 'Patient' } })]],
    ['a missing part', [operation('replace', { path: { valueString: 'Patient.birthDate' } })]],
    ['an unknown part', [operation('delete', { path: { valueString: 'Patient.birthDate' }, where: { valueString: 'x' } })]],
    [
      'a negative index',
      [operation('insert', { path: { valueString: 'Patient.name' }, value: { valueString: 'x' }, index: { valueInteger: -1 } })],
    ],
  ];
  test.each(cases)('%s', (_, parameters) => {
    expect(failure(() => parseFhirPathPatch(parameters ?? []))).toMatchObject({ status: 400, code: 'invalid' });
  });

  test.each([
    ['not FHIRPath', 'Patient.name.('],
    ['a reference to another resource', 'Patient.generalPractitioner.resolve().name'],
    ['arithmetic', "Patient.birthDate + '1'"],
    ['a computed index', 'Patient.name[1 + 0]'],
    ['a criterion the evaluator cannot run', 'Patient.name.where(bogus())'],
    ['an undefined variable', 'Patient.name.where(%foo = 1)'],
    ['another resource type', 'Observation.status'],
  ])('a path that names no place in the resource: %s', (_, path) => {
    expect(failure(() => patch(PATIENT, operation('delete', { path: { valueString: path } })))).toMatchObject({ status: 400 });
  });
});
