import type { CapabilityStatement, CodeSystem, OperationOutcome, PractitionerRole, Resource } from '@medplum/fhirtypes';
import { readPackageFolder } from '../../src/definitions/package-folders';
import { makePatient } from '../setup/factories';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type TestServer } from '../setup/test-server';

const FHIR_JSON = 'application/fhir+json';
const BASE = 'https://medbuddy.dev/fhir';
const PROFILE = (id: string) => `${BASE}/StructureDefinition/${id}`;
const examples = new Map(readPackageFolder('profiles', 'examples').map((f) => [f.resource.resourceType as string, f.resource]));
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const post = (path: string, body: unknown) =>
  server.request.post(`/fhir/${path}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(body));
const json = <T>(res: { text: string }): T => JSON.parse(res.text) as T;

/** The packaged example without its id, ready to POST. */
function example<T extends Resource>(type: string): T {
  const { id: _id, ...rest } = structuredClone(examples.get(type)) as T & { id: string };
  return rest as unknown as T;
}

function withSpecialty(code: string): PractitionerRole {
  return { ...example<PractitionerRole>('PractitionerRole'), specialty: [{ coding: [{ system: `${BASE}/CodeSystem/specialty`, code }] }] };
}

describe('the profiles package is loaded at start-up (from the repository checkout)', () => {
  test('the CapabilityStatement lists the supported profiles per resource (capabilitystatement.html)', async () => {
    const statement = json<CapabilityStatement>(await server.request.get('/fhir/metadata'));
    const byType = new Map(statement.rest?.[0]?.resource?.map((r) => [r.type, r.supportedProfile ?? []]));
    expect(byType.get('PractitionerRole')).toEqual([PROFILE('medbuddy-practitioner-role')]);
    expect(byType.get('Appointment')).toEqual([PROFILE('medbuddy-appointment')]);
    expect(byType.get('Composition')).toEqual([PROFILE('medbuddy-consultation-note')]);
    expect(byType.get('Observation')).toEqual([]);
    const operations = statement.rest?.[0]?.resource?.find((r) => r.type === 'ValueSet')?.operation?.map((o) => o.name);
    expect(operations).toEqual(expect.arrayContaining(['expand', 'validate-code']));
  });

  test('a profiled create is validated against the profile: conforming 201, non-conforming 400 naming the element', async () => {
    expect((await post('PractitionerRole', example('PractitionerRole'))).status).toBe(201);
    const { extension: _dropped, ...withoutFee } = example<PractitionerRole>('PractitionerRole');
    const outcome = expectOutcome(await post('PractitionerRole', withoutFee), 400, 'required');
    expect(outcome.issue?.[0]?.diagnostics).toContain('PractitionerRole.extension:fee');
  });

  test('the same resource without meta.profile is only checked against base R4', async () => {
    const { meta: _meta, ...unprofiled } = example<PractitionerRole>('PractitionerRole');
    expect((await post('PractitionerRole', { ...unprofiled, extension: [] })).status).toBe(201);
  });
});

describe('required bindings of the profiles are enforced on write (terminologies.html#required)', () => {
  test('a PractitionerRole with an unknown specialty is rejected, naming the element and the value set', async () => {
    const outcome = expectOutcome(await post('PractitionerRole', withSpecialty('astrology')), 400, 'code-invalid');
    expect(outcome.issue?.[0]).toMatchObject({
      expression: ['PractitionerRole.specialty[0]'],
      diagnostics: expect.stringMatching(/PractitionerRole\.specialty.*astrology.*https:\/\/medbuddy\.dev\/fhir\/ValueSet\/specialty/),
    });
  });

  test('a prescription must code its medication from the RxNorm subset (a code system found by URL)', async () => {
    const prescription = example<Resource & { medicationCodeableConcept: { coding: { code: string }[] } }>('MedicationRequest');
    expect((await post('MedicationRequest', prescription)).status).toBe(201);
    prescription.medicationCodeableConcept.coding[0].code = '1049221';
    const outcome = expectOutcome(await post('MedicationRequest', prescription), 400, 'code-invalid');
    expect(outcome.issue?.[0]?.diagnostics).toContain(`${BASE}/ValueSet/medication`);
  });

  test('update and patch are checked too', async () => {
    const created = json<PractitionerRole>(await post('PractitionerRole', example('PractitionerRole')));
    const put = await server.request
      .put(`/fhir/PractitionerRole/${created.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...withSpecialty('astrology'), id: created.id }));
    expectOutcome(put, 400, 'code-invalid');
    const patch = await server.request
      .patch(`/fhir/PractitionerRole/${created.id}`)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/specialty/0/coding/0/code', value: 'astrology' }]));
    expectOutcome(patch, 400, 'code-invalid');
  });

  test('retiring and adding a specialty through the API takes effect at once', async () => {
    const system = json<CodeSystem>(await server.request.get('/fhir/CodeSystem/specialty'));
    const concept = (system.concept ?? []).map((c) =>
      c.code === 'palliative-medicine' ? { ...c, property: [{ code: 'status', valueCode: 'retired' }] } : c,
    );
    concept.push({ code: 'travel-medicine', display: 'Travel medicine' });
    const put = await server.request
      .put('/fhir/CodeSystem/specialty')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...system, concept }));
    expect(put.status).toBe(200);
    expect((await post('PractitionerRole', withSpecialty('travel-medicine'))).status).toBe(201);
    const retired = expectOutcome(await post('PractitionerRole', withSpecialty('palliative-medicine')), 400, 'code-invalid');
    expect(retired.issue?.[0]?.diagnostics).toContain('retired');
  });
});

describe('meta.profile and $validate?profile= (resource-operation-validate.html)', () => {
  test('an unknown profile URL is a 400 that says so', async () => {
    const outcome = expectOutcome(
      await post('Patient', { ...makePatient(), meta: { profile: ['https://example.org/StructureDefinition/nope'] } }),
      400,
      'not-supported',
    );
    expect(outcome.issue?.[0]?.diagnostics).toContain('https://example.org/StructureDefinition/nope');
  });

  test('$validate checks the profile named by the profile parameter, as a query parameter or a Parameters part', async () => {
    const patient = makePatient(); // no telecom: fine for base R4, not for the MedBuddy patient profile
    const plain = json<OperationOutcome>(await post('Patient/$validate', patient));
    expect(plain.issue?.[0]?.severity).toBe('information');
    const viaQuery = json<OperationOutcome>(
      await post(`Patient/$validate?profile=${encodeURIComponent(PROFILE('medbuddy-patient'))}`, patient),
    );
    expect(viaQuery.issue?.map((i) => i.code)).toContain('required');
    const viaParameters = await post('Patient/$validate', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'resource', resource: patient },
        { name: 'profile', valueUri: PROFILE('medbuddy-patient') },
      ],
    });
    expect(viaParameters.status).toBe(200);
    expect(json<OperationOutcome>(viaParameters).issue?.some((i) => i.diagnostics?.includes('Patient.telecom'))).toBe(true);
    const unknown = json<OperationOutcome>(await post('Patient/$validate?profile=https%3A%2F%2Fexample.org%2Fnope', patient));
    expect(unknown.issue?.[0]?.code).toBe('not-supported');
  });
});
