import type { Bundle, Meta, Parameters, Patient } from '@medplum/fhirtypes';
import { makePatient } from '../setup/factories';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/** `$meta`, `$meta-add` and `$meta-delete` (resource-operation-meta*.html). */
const FHIR_JSON = 'application/fhir+json';
const LOST = { system: 'http://example.org/codes/tags', code: 'record-lost', display: 'Patient File Lost' };
const RESTRICTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' };
const PATIENT_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-patient';
let server: TestServer;

const metaParameters = (meta: Meta): Parameters => ({ resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: meta }] });
const returnedMeta = (text: string): Meta => {
  const parameters = JSON.parse(text) as Parameters;
  expect(parameters.resourceType).toBe('Parameters');
  return parameters.parameter?.find((p) => p.name === 'return')?.valueMeta as Meta;
};

async function createPatient(overrides: Partial<Patient> = {}): Promise<Patient> {
  const res = await server.request
    .post('/fhir/Patient')
    .set('Content-Type', FHIR_JSON)
    .send(JSON.stringify(makePatient(overrides)));
  expect(res.status).toBe(201);
  return JSON.parse(res.text) as Patient;
}

function invoke(path: string, body: unknown, agent = server.request) {
  return agent.post(`/fhir/${path}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(body));
}

async function readPatient(id: string): Promise<Patient> {
  return JSON.parse((await server.request.get(`/fhir/Patient/${id}`).expect(200)).text) as Patient;
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('$meta-add', () => {
  test('adds a tag and a security label as the next version; the tag is searchable at once', async () => {
    const patient = await createPatient({ meta: { tag: [{ system: 'urn:t', code: 'existing' }] } });
    const res = await invoke(`Patient/${patient.id}/$meta-add`, metaParameters({ tag: [LOST], security: [RESTRICTED] })).expect(200);
    const meta = returnedMeta(res.text);
    expect(meta).toMatchObject({ versionId: '2', tag: [{ system: 'urn:t', code: 'existing' }, LOST], security: [RESTRICTED] });
    const stored = await readPatient(patient.id as string);
    expect(stored.meta).toEqual(meta);
    expect(stored.name).toEqual(patient.name);
    const found = JSON.parse((await server.request.get(`/fhir/Patient?_tag=${LOST.system}|${LOST.code}`).expect(200)).text) as Bundle;
    expect(found.entry?.map((e) => e.resource?.id)).toEqual([patient.id]);
    const history = JSON.parse((await server.request.get(`/fhir/Patient/${patient.id}/_history`).expect(200)).text) as Bundle;
    expect(history.entry?.map((e) => e.request?.method)).toEqual(['PATCH', 'POST']);
  });

  test('adding only what is there (same system and code, another display) stores no new version', async () => {
    const patient = await createPatient({ meta: { tag: [LOST] } });
    const res = await invoke(`Patient/${patient.id}/$meta-add`, metaParameters({ tag: [{ ...LOST, display: 'other words' }] })).expect(200);
    expect(returnedMeta(res.text)).toMatchObject({ versionId: '1', tag: [LOST] });
    expect((await readPatient(patient.id as string)).meta?.versionId).toBe('1');
  });

  test('an added profile must be met: a 4xx naming the problem, and nothing stored', async () => {
    const patient = await createPatient(); // no telecom: the MedBuddy patient profile requires one
    const res = await invoke(`Patient/${patient.id}/$meta-add`, metaParameters({ profile: [PATIENT_PROFILE] }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).toContain('telecom');
    expect((await readPatient(patient.id as string)).meta?.versionId).toBe('1');
  });

  test('If-Match guards it: a stale version is a 412 and stores nothing', async () => {
    const patient = await createPatient();
    await invoke(`Patient/${patient.id}/$meta-add`, metaParameters({ tag: [LOST] })).expect(200);
    const stale = await invoke(`Patient/${patient.id}/$meta-add`, metaParameters({ security: [RESTRICTED] })).set('If-Match', 'W/"1"');
    expectOutcome(stale, 412, 'conflict');
    expect((await readPatient(patient.id as string)).meta?.security).toBeUndefined();
  });

  test('works as a batch entry (http.html#transaction), each entry on its own', async () => {
    const patient = await createPatient();
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'POST', url: `Patient/${patient.id}/$meta-add` }, resource: metaParameters({ tag: [LOST] }) },
        { request: { method: 'POST', url: 'Patient/no-such-id/$meta-add' }, resource: metaParameters({ tag: [LOST] }) },
      ],
    };
    const res = await server.request.post('/fhir').set('Content-Type', FHIR_JSON).send(JSON.stringify(bundle)).expect(200);
    const response = JSON.parse(res.text) as Bundle;
    expect(response.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['200', '404']);
    expect((response.entry?.[0].resource as Parameters).parameter?.[0].valueMeta?.tag).toEqual([LOST]);
    expect((await readPatient(patient.id as string)).meta?.tag).toEqual([LOST]);
  });
});

describe('$meta-delete and $meta', () => {
  test('$meta-delete removes tags and security labels by system and code', async () => {
    const patient = await createPatient({ meta: { tag: [LOST, { system: 'urn:t', code: 'keep' }], security: [RESTRICTED] } });
    const res = await invoke(
      `Patient/${patient.id}/$meta-delete`,
      metaParameters({ tag: [{ system: LOST.system, code: LOST.code }], security: [RESTRICTED] }),
    ).expect(200);
    expect(returnedMeta(res.text)).toMatchObject({ versionId: '2', tag: [{ system: 'urn:t', code: 'keep' }] });
    const stored = await readPatient(patient.id as string);
    expect(stored.meta?.tag).toEqual([{ system: 'urn:t', code: 'keep' }]);
    expect(stored.meta?.security).toBeUndefined();
    const found = JSON.parse(
      (await server.request.get(`/fhir/Patient?_id=${patient.id}&_tag=${LOST.system}|${LOST.code}`).expect(200)).text,
    );
    expect(found.entry).toBeUndefined();
  });

  test('$meta answers the current meta, by GET or POST', async () => {
    const patient = await createPatient({ meta: { tag: [LOST] } });
    for (const res of [
      await server.request.get(`/fhir/Patient/${patient.id}/$meta`).expect(200),
      await invoke(`Patient/${patient.id}/$meta`, { resourceType: 'Parameters' }).expect(200),
    ]) {
      expect(returnedMeta(res.text)).toEqual(patient.meta);
    }
  });

  test('the CapabilityStatement lists the three operations for every resource type', async () => {
    const metadata = JSON.parse((await server.request.get('/fhir/metadata').expect(200)).text);
    const observation = metadata.rest[0].resource.find((r: { type: string }) => r.type === 'Observation');
    expect(observation.operation.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['meta', 'meta-add', 'meta-delete']));
  });
});

describe('bad input is a 4xx and changes nothing', () => {
  let patient: Patient;
  beforeAll(async () => {
    patient = await createPatient();
  });

  test.each([
    ['no body', undefined, 400],
    ['no meta parameter', { resourceType: 'Parameters' }, 400],
    ['a meta that is not a Meta', { resourceType: 'Parameters', parameter: [{ name: 'meta', valueString: 'x' }] }, 400],
    ['a Meta with an unknown element', metaParameters({ tag: [LOST], colour: 'red' } as Meta), 400],
    ['a tag without a code', metaParameters({ tag: [{ system: 'urn:t' }] }), 400],
    ['an unknown parameter', { resourceType: 'Parameters', parameter: [{ name: 'tag', valueString: 'x' }] }, 400],
    ['the resource itself instead of Parameters', makePatient(), 400],
  ])('%s', async (_case, body, status) => {
    const res = await server.request
      .post(`/fhir/Patient/${patient.id}/$meta-add`)
      .set('Content-Type', FHIR_JSON)
      .send(body === undefined ? '' : JSON.stringify(body));
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).resourceType).toBe('OperationOutcome');
    expect((await readPatient(patient.id as string)).meta?.versionId).toBe('1');
  });

  test('GET $meta-add is a 405 (it changes data); an unknown or deleted id is a 404', async () => {
    expectOutcome(await server.request.get(`/fhir/Patient/${patient.id}/$meta-add`), 405, 'not-supported');
    expectOutcome(await invoke('Patient/no-such-id/$meta-add', metaParameters({ tag: [LOST] })), 404, 'not-found');
    const gone = await createPatient();
    await server.request.delete(`/fhir/Patient/${gone.id}`).expect(204);
    expectOutcome(await invoke(`Patient/${gone.id}/$meta-delete`, metaParameters({ tag: [LOST] })), 404, 'not-found');
    expectOutcome(await server.request.get(`/fhir/Patient/${gone.id}/$meta`), 404, 'not-found');
  });
});

describe('another patient', () => {
  let a: Actor;
  let b: Actor;
  beforeAll(async () => {
    a = await server.actAsPatient();
    b = await server.actAsPatient();
  });

  test("cannot read or change patient B's labels: 404, as if absent, and B's record is unchanged", async () => {
    expectOutcome(await a.agent.get(`/fhir/Patient/${b.id}/$meta`), 404, 'not-found');
    expectOutcome(await invoke(`Patient/${b.id}/$meta-add`, metaParameters({ tag: [LOST] }), a.agent), 404, 'not-found');
    expectOutcome(await invoke(`Patient/${b.id}/$meta-delete`, metaParameters({ tag: [LOST] }), a.agent), 404, 'not-found');
    expect((await readPatient(b.id)).meta?.versionId).toBe('1');
  });

  test('a patient labels their own record; a read-only token cannot', async () => {
    await invoke(`Patient/${a.id}/$meta-add`, metaParameters({ tag: [LOST] }), a.agent).expect(200);
    expect((await readPatient(a.id)).meta?.tag).toEqual([LOST]);
    const reader = await server.actAsPatient({ scope: 'patient/*.rs' });
    const res = await invoke(`Patient/${reader.id}/$meta-add`, metaParameters({ tag: [LOST] }), reader.agent);
    expect(res.status).toBe(403);
    expect((await readPatient(reader.id)).meta?.tag).toBeUndefined();
  });
});
