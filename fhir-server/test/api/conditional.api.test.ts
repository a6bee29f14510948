import type { Bundle, Patient } from '@medplum/fhirtypes';
import { makePatient } from '../setup/factories';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type TestServer } from '../setup/test-server';

const FHIR_JSON = 'application/fhir+json';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const withIdentifier = (value: string): Patient => makePatient({ identifier: [{ system: 'urn:mrn', value }] });

const conditionalCreate = (patient: Patient, criteria: string) =>
  server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).set('If-None-Exist', criteria).send(JSON.stringify(patient));

async function countByIdentifier(value: string): Promise<number> {
  const bundle = JSON.parse(
    (await server.request.get(`/fhir/Patient?identifier=urn:mrn|${value}&_total=accurate`).expect(200)).text,
  ) as Bundle;
  return bundle.total as number;
}

describe('conditional create (http.html#ccreate)', () => {
  test('no match creates (201), one match returns it (200), several matches are 412', async () => {
    const first = await conditionalCreate(withIdentifier('cc-1'), 'identifier=urn:mrn|cc-1');
    expect(first.status).toBe(201);
    const again = await conditionalCreate(withIdentifier('cc-1'), 'identifier=urn:mrn|cc-1');
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text).id).toBe(JSON.parse(first.text).id);
    await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(withIdentifier('cc-dup')))
      .expect(201);
    await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(withIdentifier('cc-dup')))
      .expect(201);
    expectOutcome(await conditionalCreate(withIdentifier('cc-dup'), 'identifier=urn:mrn|cc-dup'), 412, 'multiple-matches');
  });

  test('20 identical conditional creates racing produce exactly one resource', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => conditionalCreate(withIdentifier('race-1'), 'identifier=urn:mrn|race-1')),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    expect(new Set(results.map((r) => JSON.parse(r.text).id)).size).toBe(1);
    expect(await countByIdentifier('race-1')).toBe(1);
  });

  test('criteria may use :in and :not-in like a search (search.html#modifiers)', async () => {
    const genders = 'http://hl7.org/fhir/ValueSet/administrative-gender';
    const male = withIdentifier('cc-in');
    expect((await conditionalCreate(male, `identifier=urn:mrn|cc-in&gender:not-in=${genders}`)).status).toBe(201);
    expect((await conditionalCreate(male, `identifier=urn:mrn|cc-in&gender:in=${genders}`)).status).toBe(200);
    expect(await countByIdentifier('cc-in')).toBe(1);
  });

  test('criteria with an unknown parameter are refused rather than matching too widely', async () => {
    expectOutcome(await conditionalCreate(withIdentifier('cc-2'), 'shoe-size=42'), 400, 'invalid');
  });
});

describe('conditional update, patch and delete (http.html#cond-update, #patch, #cdelete)', () => {
  test('conditional update creates on no match and updates the single match', async () => {
    const put = (patient: Patient) =>
      server.request.put('/fhir/Patient?identifier=urn:mrn|cu-1').set('Content-Type', FHIR_JSON).send(JSON.stringify(patient));
    const created = await put(withIdentifier('cu-1'));
    expect(created.status).toBe(201);
    const updated = await put({ ...withIdentifier('cu-1'), gender: 'female' });
    expect(updated.status).toBe(200);
    expect(JSON.parse(updated.text)).toMatchObject({ id: JSON.parse(created.text).id, gender: 'female', meta: { versionId: '2' } });
  });

  test('conditional delete removes the single match and refuses several', async () => {
    const created = JSON.parse((await conditionalCreate(withIdentifier('cd-1'), 'identifier=urn:mrn|cd-1')).text) as Patient;
    expect((await server.request.delete('/fhir/Patient?identifier=urn:mrn|cd-1')).status).toBe(204);
    expectOutcome(await server.request.get(`/fhir/Patient/${created.id}`), 410, 'deleted');
    await conditionalCreate(withIdentifier('cd-2'), 'identifier=urn:mrn|cd-2');
    await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(withIdentifier('cd-2')));
    expectOutcome(await server.request.delete('/fhir/Patient?identifier=urn:mrn|cd-2'), 412, 'multiple-matches');
  });

  test('conditional patch patches the single match; none is 404, several 412, and nothing is written', async () => {
    const created = JSON.parse((await conditionalCreate(withIdentifier('cp-1'), 'identifier=urn:mrn|cp-1')).text) as Patient;
    const patch = (criteria: string, gender: string) =>
      server.request
        .patch(`/fhir/Patient?${criteria}`)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify([{ op: 'replace', path: '/gender', value: gender }]));
    const patched = await patch('identifier=urn:mrn|cp-1', 'other');
    expect(patched.status).toBe(200);
    expect(JSON.parse(patched.text)).toMatchObject({ id: created.id, gender: 'other', meta: { versionId: '2' } });

    expectOutcome(await patch('identifier=urn:mrn|cp-none', 'other'), 404, 'not-found');
    await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(withIdentifier('cp-1')))
      .expect(201);
    expectOutcome(await patch('identifier=urn:mrn|cp-1', 'male'), 412, 'multiple-matches');
    expectOutcome(await patch('shoe-size=42', 'male'), 400, 'invalid');
    const current = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}`)).text) as Patient;
    expect(current).toMatchObject({ gender: 'other', meta: { versionId: '2' } });
  });

  test('a transaction with a conditional create and a conditional reference resolves both', async () => {
    const existing = JSON.parse((await conditionalCreate(withIdentifier('tx-1'), 'identifier=urn:mrn|tx-1')).text) as Patient;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:7f0c4c4e-1111-4c6e-9c8a-000000000001',
          resource: withIdentifier('tx-1'),
          request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:mrn|tx-1' },
        },
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'a' },
            subject: { reference: 'urn:uuid:7f0c4c4e-1111-4c6e-9c8a-000000000001' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'b' },
            subject: { reference: 'Patient?identifier=urn:mrn|tx-1' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const response = JSON.parse(
      (await server.request.post('/fhir').set('Content-Type', FHIR_JSON).send(JSON.stringify(bundle))).text,
    ) as Bundle;
    expect(response.entry?.map((e) => e.response?.status)).toEqual(['200 OK', '201 Created', '201 Created']);
    expect(response.entry?.slice(1).map((e) => (e.resource as { subject: { reference: string } }).subject.reference)).toEqual([
      `Patient/${existing.id}`,
      `Patient/${existing.id}`,
    ]);
  });
});
