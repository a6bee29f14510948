import type { Bundle, BundleEntry, Observation, OperationOutcome, Parameters, Patient } from '@medplum/fhirtypes';
import { makePatient } from '../setup/factories';
import { expectOutcome } from '../setup/matchers';
import { readSampleBundle, sampleBundleFiles } from '../setup/samples';
import { startTestServer, type TestServer } from '../setup/test-server';

const FHIR_JSON = 'application/fhir+json';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const postBundle = (bundle: unknown, prefer?: string) => {
  const req = server.request.post('/fhir').set('Content-Type', FHIR_JSON);
  return (prefer ? req.set('Prefer', prefer) : req).send(JSON.stringify(bundle));
};

async function countHistory(): Promise<number> {
  const bundle = JSON.parse((await server.request.get('/fhir/_history?_count=1000').expect(200)).text) as Bundle;
  return bundle.entry?.length ?? 0;
}

describe('transaction (http.html#transaction, bundle.html#references)', () => {
  test.each(sampleBundleFiles().slice(0, 3))('ingests the Synthea sample %s with urn:uuid references rewritten', async (file) => {
    const sample = readSampleBundle(file);
    const res = await postBundle(sample, 'return=minimal');
    expect(res.status).toBe(200);
    const response = JSON.parse(res.text) as Bundle;
    expect(response.type).toBe('transaction-response');
    expect(response.entry).toHaveLength(sample.entry?.length ?? 0);
    expect(response.entry?.every((e) => e.response?.status === '201 Created')).toBe(true);
    const locations = response.entry?.map((e) => e.response?.location?.replace(/\/_history\/\d+$/, '')) ?? [];
    const patientIndex = sample.entry?.findIndex((e) => e.resource?.resourceType === 'Patient') ?? -1;
    const patientRef = locations[patientIndex]?.replace(`${server.baseUrl}/`, '');
    const obsIndex = sample.entry?.findIndex((e) => e.resource?.resourceType === 'Observation') ?? -1;
    const observation = JSON.parse(
      (await server.request.get(locations[obsIndex]?.replace(server.baseUrl, '/fhir') as string).expect(200)).text,
    ) as Observation;
    expect(observation.subject?.reference).toBe(patientRef);
    expect(observation.encounter?.reference).toMatch(/^Encounter\/[0-9a-f-]{36}$/);
    expect(JSON.stringify(observation)).not.toContain('urn:uuid:');
  });

  test('entries may reference entries that come later; response order follows request order', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:00000000-0000-0000-0000-000000000002',
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'pulse' },
            subject: { reference: 'urn:uuid:00000000-0000-0000-0000-000000000001' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          fullUrl: 'urn:uuid:00000000-0000-0000-0000-000000000001',
          resource: makePatient(),
          request: { method: 'POST', url: 'Patient' },
        },
      ],
    };
    const response = JSON.parse((await postBundle(bundle)).text) as Bundle;
    const [obs, patient] = response.entry?.map((e: BundleEntry) => e.resource) ?? [];
    expect((obs as Observation).subject?.reference).toBe(`Patient/${(patient as Patient).id}`);
    expect(response.entry?.[1].fullUrl).toBe(`${server.baseUrl}/Patient/${(patient as Patient).id}`);
  });

  test('all or nothing: one invalid entry fails the whole transaction and stores nothing', async () => {
    const before = await countHistory();
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: makePatient(), request: { method: 'POST', url: 'Patient' } },
        { resource: makePatient(), request: { method: 'PUT', url: 'Patient/txn-put-1' } },
        { resource: { ...makePatient(), birthDate: 'not-a-date' } as Patient, request: { method: 'POST', url: 'Patient' } },
      ],
    };
    bundle.entry![1].resource!.id = 'txn-put-1';
    const outcome = expectOutcome(await postBundle(bundle), 400, 'structure');
    expect(outcome.issue?.[0].diagnostics).toContain('Bundle.entry[2]');
    expect(await countHistory()).toBe(before);
    expectOutcome(await server.request.get('/fhir/Patient/txn-put-1'), 404, 'not-found');
  });

  test('processing order is DELETE, POST, PUT/PATCH, GET', async () => {
    const created = JSON.parse(
      (await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send(JSON.stringify(makePatient()))).text,
    ) as Patient;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'GET', url: `Patient/${created.id}` } },
        { resource: { ...created, gender: 'female' }, request: { method: 'PUT', url: `Patient/${created.id}` } },
        { request: { method: 'DELETE', url: 'Patient/txn-delete-me' } },
      ],
    };
    const response = JSON.parse((await postBundle(bundle)).text) as Bundle;
    expect(response.entry?.map((e) => e.response?.status)).toEqual(['200 OK', '200 OK', '204 No Content']);
    expect((response.entry?.[0].resource as Patient).gender).toBe('female');
  });

  test('a search entry finds the resources POSTed earlier in the same transaction', async () => {
    const family = `Heldback${Date.now()}`;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'GET', url: `Patient?family=${family}` } },
        ...[1, 2, 3].map((n) => ({
          resource: { ...makePatient(), name: [{ family, given: [`N${n}`] }] },
          request: { method: 'POST' as const, url: 'Patient' },
        })),
      ],
    };
    const response = JSON.parse((await postBundle(bundle)).text) as Bundle;
    expect(response.entry?.map((e) => e.response?.status)).toEqual(['200 OK', '201 Created', '201 Created', '201 Created']);
    const found = response.entry?.[0].resource as Bundle;
    expect(found.entry?.map((e) => e.resource?.id).sort()).toEqual(
      response.entry
        ?.slice(1)
        .map((e) => /Patient\/([^/]+)/.exec(e.response?.location ?? '')?.[1])
        .sort(),
    );
  });

  test('a reference to a urn:uuid that no entry declares is a 400', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'x' },
            subject: { reference: 'urn:uuid:0c5e1b6e-9a59-4f1e-9d4e-000000000000' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    expectOutcome(await postBundle(bundle), 400, 'invalid');
  });

  test('two entries changing the same resource are a 400', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { ...makePatient(), id: 'dup' }, request: { method: 'PUT', url: 'Patient/dup' } },
        { request: { method: 'DELETE', url: 'Patient/dup' } },
      ],
    };
    expectOutcome(await postBundle(bundle), 400, 'invalid');
  });

  test('PATCH entries carry a JSON Patch in a Binary', async () => {
    const created = JSON.parse(
      (await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send(JSON.stringify(makePatient()))).text,
    ) as Patient;
    const patch = [{ op: 'replace', path: '/gender', value: 'other' }];
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: {
            resourceType: 'Binary',
            contentType: 'application/json-patch+json',
            data: Buffer.from(JSON.stringify(patch)).toString('base64'),
          },
          request: { method: 'PATCH', url: `Patient/${created.id}` },
        },
      ],
    };
    const response = JSON.parse((await postBundle(bundle)).text) as Bundle;
    expect((response.entry?.[0].resource as Patient).gender).toBe('other');
  });

  test('PATCH entries carry a FHIRPath Patch as a Parameters resource; a failed one rolls the transaction back', async () => {
    const created = JSON.parse(
      (await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send(JSON.stringify(makePatient()))).text,
    ) as Patient;
    const replaceGender = (gender: string): Parameters => ({
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'operation',
          part: [
            { name: 'type', valueCode: 'replace' },
            { name: 'path', valueString: 'Patient.gender' },
            { name: 'value', valueCode: gender },
          ],
        },
      ],
    });
    const transaction = (...entries: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry: entries });
    const patchEntry = (gender: string): BundleEntry => ({
      resource: replaceGender(gender),
      request: { method: 'PATCH', url: `Patient/${created.id}` },
    });
    const response = JSON.parse((await postBundle(transaction(patchEntry('other')))).text) as Bundle;
    expect((response.entry?.[0].resource as Patient).gender).toBe('other');

    const newPatient: BundleEntry = { resource: makePatient(), request: { method: 'POST', url: 'Patient' } };
    expectOutcome(await postBundle(transaction(newPatient, patchEntry('bogus'))), 400, 'code-invalid');
    const current = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}`)).text) as Patient;
    expect(current).toMatchObject({ gender: 'other', meta: { versionId: '2' } });
  });

  test('malformed Bundles are 400', async () => {
    expectOutcome(await postBundle({ resourceType: 'Bundle', type: 'collection' }), 400, 'invalid');
    expectOutcome(await postBundle({ resourceType: 'Patient' }), 400, 'invalid');
    expectOutcome(await postBundle({ resourceType: 'Bundle', type: 'transaction', entry: {} }), 400, 'structure');
    // bdl-3: every entry of a transaction has a request.
    expectOutcome(
      await postBundle({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: makePatient() }] }),
      400,
      'invariant',
    );
    expectOutcome(
      await postBundle({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ request: { method: 'POST', url: 'http://evil.example/Patient' }, resource: makePatient() }],
      }),
      400,
      'invalid',
    );
  });
});

describe('batch (http.html#transaction)', () => {
  test('entries succeed or fail independently, each with its own status and outcome', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: makePatient(), request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', gender: 5 } as unknown as Patient, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/not-there' } },
        { request: { method: 'GET', url: 'metadata' } },
      ],
    };
    const response = JSON.parse((await postBundle(bundle)).text) as Bundle;
    expect(response.type).toBe('batch-response');
    expect(response.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '400 Bad Request', '404 Not Found', '200 OK']);
    expect(response.entry?.[1].response?.outcome?.issue?.[0].expression).toEqual(['Patient.gender']);
  });

  test('a Bundle that is not valid R4 itself is a 400 naming each problem, and nothing of it runs', async () => {
    const before = await countHistory();
    const create = { resource: makePatient(), request: { method: 'POST', url: 'Patient' } };
    const invalid: [unknown, string, string][] = [
      [{ entry: [create], entry2: [] }, 'Bundle.entry2', 'structure'],
      [{ entry: [create, null, 1] }, 'Bundle.entry[1]', 'structure'],
      [{ entry: [{ ...create, fullUrl: 5 }] }, 'Bundle.entry[0].fullUrl', 'structure'],
      [{ entry: [{ ...create, request: { ...create.request, ifNoneExist: {} } }] }, 'Bundle.entry[0].request.ifNoneExist', 'structure'],
      [{ entry: [{ ...create, request: { ...create.request, ifNoneMatch: 5 } }] }, 'Bundle.entry[0].request.ifNoneMatch', 'structure'],
      [{ entry: [{ ...create, request: { method: 'FETCH', url: 'Patient' } }] }, 'Bundle.entry[0].request.method', 'code-invalid'],
      [{ entry: [{ ...create, request: { method: 'POST' } }] }, 'Bundle.entry[0].request.url', 'required'],
      [{ entry: [{ ...create, unknown: true }] }, 'Bundle.entry[0].unknown', 'structure'],
      [{ entry: [create], timestamp: 'yesterday' }, 'Bundle.timestamp', 'structure'],
      // bdl-7: fullUrl is unique in a Bundle.
      [
        {
          entry: [
            { ...create, fullUrl: 'urn:uuid:1' },
            { ...create, fullUrl: 'urn:uuid:1' },
          ],
        },
        'Bundle',
        'invariant',
      ],
    ];
    for (const [fields, expression, code] of invalid) {
      for (const type of ['batch', 'transaction']) {
        const response = await postBundle({ resourceType: 'Bundle', type, ...(fields as object) });
        expect(response.status).toBe(400);
        expect((JSON.parse(response.text) as OperationOutcome).issue).toContainEqual(
          expect.objectContaining({ code, expression: [expression] }),
        );
      }
    }
    expect(await countHistory()).toBe(before);
  });

  test('a search the storage layer refuses (a paging cursor that does not decode) fails its entry only', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ request: { method: 'GET', url: 'Patient?_cursor=not-a-cursor' } }, { request: { method: 'GET', url: 'Patient?_count=1' } }],
    };
    const res = await postBundle(bundle);
    expect(res.status).toBe(200);
    const response = JSON.parse(res.text) as Bundle;
    expect(response.entry?.map((e) => e.response?.status)).toEqual(['400 Bad Request', '200 OK']);
    expect(response.entry?.[0].response?.outcome?.issue?.[0]).toMatchObject({
      code: 'invalid',
      diagnostics: expect.stringContaining('cursor'),
    });
  });
});
