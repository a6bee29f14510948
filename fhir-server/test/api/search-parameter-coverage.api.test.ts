import type { CapabilityStatement, Resource, SearchParameter } from '@medplum/fhirtypes';
import { readPackageFolder } from '../../src/definitions/package-folders';
import { catalogParameter, searchValueFromExample } from '../setup/catalog';
import { baseResource, generateCase, mergeInto, type GeneratedCase } from '../setup/search-parameter-fixtures';
import { matchIds, putAll } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Every search parameter the CapabilityStatement declares for the telemedicine resource types
 * filters (capabilitystatement.html: searchParam lists what the server supports): for each one
 * a resource carrying a value at the parameter's path is found by searching that value, and a
 * resource without it is not. The cases are generated from the parameter expressions and the
 * element definitions; OVERRIDES covers the expressions the generator does not handle. The
 * MedBuddy parameters of the profiles package are checked on the package's examples instead:
 * the example is found by a value it carries.
 */
const TELEMEDICINE_TYPES = [
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Schedule',
  'Slot',
  'Appointment',
  'Encounter',
  'Composition',
  'MedicationRequest',
  'DocumentReference',
  'AuditEvent',
  'Communication',
  'ServiceRequest',
  'Condition',
  'AllergyIntolerance',
];

/** Base resources that also satisfy invariants the required elements alone do not. */
const BASE_PATCHES: Record<string, Record<string, unknown>> = {
  AllergyIntolerance: {
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
  },
  Appointment: {
    status: 'booked',
    start: '2020-01-01T10:00:00Z',
    end: '2020-01-01T10:30:00Z',
    participant: [{ actor: { reference: 'Practitioner/base' }, status: 'accepted' }],
  },
};

/** Cases for expressions outside the generator's reach, and extra elements some cases need. */
const OVERRIDES: Record<string, GeneratedCase> = {
  ...Object.fromEntries(
    TELEMEDICINE_TYPES.map((type) => [
      `${type}._profile`,
      // meta.profile must name a profile the server knows: the core one of the type.
      {
        fragment: { meta: { profile: [`http://hl7.org/fhir/StructureDefinition/${type}`] } },
        value: `http://hl7.org/fhir/StructureDefinition/${type}`,
      },
    ]),
  ),
  // Full text (search.html#content): a word of the narrative, which both parameters search.
  ...Object.fromEntries(
    TELEMEDICINE_TYPES.flatMap((type) =>
      ['_content', '_text'].map((code) => [
        `${type}.${code}`,
        { fragment: { text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">A quokka</div>' } }, value: 'quokka' },
      ]),
    ),
  ),
  'Patient.deceased': { fragment: { deceasedBoolean: true }, value: 'true' },
  'Appointment.part-status': {
    fragment: { participant: [{ actor: { reference: 'Practitioner/base' }, status: 'tentative' }] },
    value: 'tentative',
  },
  'Composition.section': {
    fragment: {
      section: [
        {
          code: { coding: [{ system: 'urn:zebra', code: 'zebra-code' }] },
          text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
        },
      ],
    },
    value: 'urn:zebra|zebra-code',
  },
  // `appends`: a generated `replaces` of the base document (its required target) would supersede
  // the base (MHD replace), which would then match the status case.
  'DocumentReference.relation': {
    fragment: { relatesTo: [{ code: 'appends', target: { reference: 'DocumentReference/zebra-target' } }] },
    value: 'appends',
  },
  'DocumentReference.relationship': {
    fragment: { relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/zebra-target' } }] },
    value: 'replaces$DocumentReference/zebra-target',
  },
};
const RESOLVED = { clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] } };
/** Extra elements some cases need: Condition abatement requires an inactive clinical status (invariant con-4). */
const EXTRA: Record<string, Record<string, unknown>> = {
  'Condition.abatement-age': RESOLVED,
  'Condition.abatement-date': RESOLVED,
  'Condition.abatement-string': RESOLVED,
  /** ServiceRequest: orderDetail only with a code (invariant prr-1). */
  'ServiceRequest.order-detail': { code: { text: 'x' } },
};

/**
 * Cases for the parameters declared for every type (CapabilityStatement.rest.searchParam): given
 * the stored id of the resource to find, the value that finds it.
 */
const ALL_TYPES_CASES: Record<string, (resourceType: string, id: string) => Promise<string>> = {
  _list: async (resourceType, id) => {
    const list = { resourceType: 'List', id: `items-${resourceType}`, status: 'current', mode: 'working' };
    const entry = [{ item: { reference: `${resourceType}/${id}` } }];
    return (await putAll(server, [{ ...list, entry } as never])).get(`List/${list.id}`) as string;
  },
};

let server: TestServer;
let declared: Map<string, SearchParameter[]>;
let declaredForAllTypes: string[];
const examples = readPackageFolder('profiles', 'examples').map((file) => file.resource as Resource & { id: string });
let exampleIds: Map<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  exampleIds = await putAll(server, examples);
  const statement = JSON.parse((await server.request.get('/fhir/metadata')).text) as CapabilityStatement;
  declared = new Map(
    (statement.rest?.[0].resource ?? []).map((r) => [
      r.type as string,
      (r.searchParam ?? []).map(
        (p) => ({ resourceType: 'SearchParameter', code: p.name, type: p.type, url: p.definition }) as SearchParameter,
      ),
    ]),
  );
  declaredForAllTypes = (statement.rest?.[0].searchParam ?? []).map((p) => p.name);
});
afterAll(() => server.close());

describe('every declared search parameter of the telemedicine resources filters (capabilitystatement.html#searchParam)', () => {
  test.each(TELEMEDICINE_TYPES)('%s', async (resourceType) => {
    const base = { ...baseResource(resourceType), ...BASE_PATCHES[resourceType], id: 'base' };
    const baseId = (await putAll(server, [base as never])).get(`${resourceType}/base`) as string;
    const params = declared.get(resourceType) ?? [];
    expect(params.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const declaredParam of params) {
      const code = declaredParam.code as string;
      if (code === '_id' || code === '_lastUpdated') {
        continue;
      }
      const key = `${resourceType}.${code}`;
      const definition = catalogParameter(resourceType, code);
      const example = examples.find((e) => e.resourceType === resourceType && searchValueFromExample(e, code));
      if (definition && !definition.url?.startsWith('http://hl7.org/fhir/') && example) {
        const value = searchValueFromExample(example, code) as string;
        const exampleId = exampleIds.get(`${resourceType}/${example.id}`);
        const query = `${resourceType}?${code}=${encodeURIComponent(value)}&_id=${exampleId},${baseId}`;
        const found = await matchIds(server, query).catch((error) => [`error ${String(error).slice(0, 200)}`]);
        if (JSON.stringify(found) !== JSON.stringify([exampleId])) {
          failures.push(`${key}: ${query} found ${JSON.stringify(found)}`);
        }
        continue;
      }
      const generated = OVERRIDES[key] ?? (definition && generateCase(resourceType, definition, base));
      if (!generated) {
        failures.push(`${key}: no case could be generated`);
        continue;
      }
      const id = `m-${code.replace(/[^A-Za-z0-9-]/g, '')}`;
      const resource = { ...mergeInto(base, { ...generated.fragment, ...EXTRA[key] }), id };
      let storedId: string;
      try {
        storedId = (await putAll(server, [resource as never])).get(`${resourceType}/${id}`) as string;
      } catch (error) {
        failures.push(`${key}: generated resource refused: ${String(error).slice(0, 300)}`);
        continue;
      }
      const query = `${resourceType}?${code}=${encodeURIComponent(generated.value)}&_id=${storedId},${baseId}`;
      const found = await matchIds(server, query).catch((error) => [`error ${String(error).slice(0, 200)}`]);
      if (JSON.stringify(found) !== JSON.stringify([storedId])) {
        failures.push(`${key}: ${query} found ${JSON.stringify(found)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('every search parameter declared for all types filters the telemedicine resources (CapabilityStatement.rest.searchParam)', () => {
  test.each(TELEMEDICINE_TYPES)('%s', async (resourceType) => {
    const base = { ...baseResource(resourceType), ...BASE_PATCHES[resourceType] };
    const stored = await putAll(server, [{ ...base, id: 'all-in' } as never, { ...base, id: 'all-out' } as never]);
    const [inId, outId] = [stored.get(`${resourceType}/all-in`) as string, stored.get(`${resourceType}/all-out`) as string];
    expect(declaredForAllTypes).toContain('_list');
    const failures: string[] = [];
    for (const code of declaredForAllTypes) {
      const valueFinding = ALL_TYPES_CASES[code];
      if (!valueFinding) {
        failures.push(`${code}: no case`);
        continue;
      }
      const query = `${resourceType}?${code}=${encodeURIComponent(await valueFinding(resourceType, inId))}&_id=${inId},${outId}`;
      const found = await matchIds(server, query).catch((error) => [`error ${String(error).slice(0, 200)}`]);
      if (JSON.stringify(found) !== JSON.stringify([inId])) {
        failures.push(`${code}: ${query} found ${JSON.stringify(found)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
