import type { Bundle, Parameters, Patient } from '@medplum/fhirtypes';
import { makePatient } from '../setup/factories';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type TestServer } from '../setup/test-server';

const FHIR_JSON = 'application/fhir+json';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function create(patient: Patient = makePatient()): Promise<Patient> {
  const res = await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send(JSON.stringify(patient));
  expect(res.status).toBe(201);
  return JSON.parse(res.text) as Patient;
}

describe('create (http.html#create)', () => {
  test('assigns id and version 1, answers 201 with Location, ETag and Last-Modified', async () => {
    const res = await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...makePatient(), id: 'client-chosen' }));
    expect(res.status).toBe(201);
    const body = JSON.parse(res.text) as Patient;
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.meta?.versionId).toBe('1');
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers.location).toBe(`${server.baseUrl}/Patient/${body.id}/_history/1`);
    expect(new Date(res.headers['last-modified']).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(res.headers['content-type']).toContain(FHIR_JSON);
  });

  test('Prefer: return=minimal answers with no body; return=OperationOutcome with an outcome', async () => {
    const minimal = await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .set('Prefer', 'return=minimal')
      .send(JSON.stringify(makePatient()));
    expect(minimal.status).toBe(201);
    expect(minimal.text).toBe('');
    expect(minimal.headers.location).toContain('/Patient/');
    const outcome = await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .set('Prefer', 'return=OperationOutcome')
      .send(JSON.stringify(makePatient()));
    expect(outcome.status).toBe(201);
    expect(JSON.parse(outcome.text).resourceType).toBe('OperationOutcome');
  });

  test('a resourceType that does not match the URL is a 400', async () => {
    const res = await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x' } }));
    expectOutcome(res, 400, 'invalid');
  });
});

describe('read and vread (http.html#read, #vread)', () => {
  test('read returns the current version with ETag; vread returns an older one', async () => {
    const created = await create();
    await server.request
      .put(`/fhir/Patient/${created.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...created, gender: 'female' }))
      .expect(200);
    const current = await server.request.get(`/fhir/Patient/${created.id}`).expect(200);
    expect(current.headers.etag).toBe('W/"2"');
    expect(JSON.parse(current.text).gender).toBe('female');
    const v1 = await server.request.get(`/fhir/Patient/${created.id}/_history/1`).expect(200);
    expect(JSON.parse(v1.text)).toMatchObject({ gender: 'male', meta: { versionId: '1' } });
    expectOutcome(await server.request.get(`/fhir/Patient/${created.id}/_history/9`), 404, 'not-found');
  });

  test('unknown id is 404, unknown type is 404, malformed id is 400', async () => {
    expectOutcome(await server.request.get('/fhir/Patient/does-not-exist'), 404, 'not-found');
    expectOutcome(await server.request.get('/fhir/Patientx/1'), 404, 'not-found');
    expectOutcome(await server.request.get(`/fhir/Patient/${'a'.repeat(65)}`), 400, 'invalid');
    expectOutcome(await server.request.get('/fhir/Patient/bad%20id'), 400, 'invalid');
  });

  test('If-None-Match with the current version answers 304', async () => {
    const created = await create();
    const res = await server.request.get(`/fhir/Patient/${created.id}`).set('If-None-Match', 'W/"1"');
    expect(res.status).toBe(304);
    expect(res.headers.etag).toBe('W/"1"');
    await server.request.get(`/fhir/Patient/${created.id}`).set('If-None-Match', 'W/"0"').expect(200);
  });

  test('If-Modified-Since answers 304 unless the resource changed after it; If-None-Match takes precedence', async () => {
    const created = await create();
    const read = (headers: Record<string, string>) => server.request.get(`/fhir/Patient/${created.id}`).set(headers);
    const lastModified = (await read({}).expect(200)).headers['last-modified'];
    expect((await read({ 'If-Modified-Since': lastModified })).status).toBe(304);
    const before = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect(JSON.parse((await read({ 'If-Modified-Since': before }).expect(200)).text).id).toBe(created.id);
    await read({ 'If-Modified-Since': 'not a date' }).expect(200);
    await read({ 'If-Modified-Since': lastModified, 'If-None-Match': 'W/"0"' }).expect(200);
  });

  test('_summary, _elements and _pretty shape the read', async () => {
    const created = await create({
      ...makePatient(),
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
    });
    const elements = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}?_elements=gender`).expect(200)).text);
    expect(Object.keys(elements).sort()).toEqual(['gender', 'id', 'meta', 'resourceType']);
    expect(elements.meta.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
    const summary = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}?_summary=true`).expect(200)).text);
    expect(summary.name).toBeDefined();
    expect(summary.text).toBeUndefined();
    const data = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}?_summary=data`).expect(200)).text);
    expect(data.text).toBeUndefined();
    expect(data.gender).toBe('male');
    const pretty = await server.request.get(`/fhir/Patient/${created.id}?_pretty=true`).expect(200);
    expect(pretty.text).toContain('\n  "resourceType"');
    expectOutcome(await server.request.get(`/fhir/Patient/${created.id}?_summary=maybe`), 400, 'invalid');
  });

  test('_elements keeps the mandatory elements too, so the subset stays a valid resource (search.html#elements)', async () => {
    const observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Body weight' },
      subject: { reference: 'Patient/x' },
      valueQuantity: { value: 70, unit: 'kg' },
      note: [{ text: 'after breakfast' }],
    };
    const res = await server.request.post('/fhir/Observation').set('Content-Type', FHIR_JSON).send(JSON.stringify(observation)).expect(201);
    const id = JSON.parse(res.text).id as string;
    const subset = JSON.parse((await server.request.get(`/fhir/Observation/${id}?_elements=note`).expect(200)).text);
    expect(Object.keys(subset).sort()).toEqual(['code', 'id', 'meta', 'note', 'resourceType', 'status']);
    const validated = await server.request.post('/fhir/Observation/$validate').set('Content-Type', FHIR_JSON).send(JSON.stringify(subset));
    expect(validated.status).toBe(200);
    // A choice element is named as in its definition (value[x]): `value` keeps valueQuantity.
    const choice = JSON.parse((await server.request.get(`/fhir/Observation/${id}?_elements=value`).expect(200)).text);
    expect(choice.valueQuantity).toEqual({ value: 70, unit: 'kg' });
    expect(choice.note).toBeUndefined();
  });
});

describe('update (http.html#update)', () => {
  test('If-Match with a stale version is 412 and changes nothing', async () => {
    const created = await create();
    await server.request
      .put(`/fhir/Patient/${created.id}`)
      .set('Content-Type', FHIR_JSON)
      .set('If-Match', 'W/"1"')
      .send(JSON.stringify({ ...created, gender: 'female' }))
      .expect(200);
    const stale = await server.request
      .put(`/fhir/Patient/${created.id}`)
      .set('Content-Type', FHIR_JSON)
      .set('If-Match', 'W/"1"')
      .send(JSON.stringify({ ...created, gender: 'other' }));
    expectOutcome(stale, 412, 'conflict');
    const current = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}`)).text);
    expect(current).toMatchObject({ gender: 'female', meta: { versionId: '2' } });
  });

  test('update-as-create with a client id answers 201', async () => {
    const id = `client-${Date.now()}`;
    const res = await server.request
      .put(`/fhir/Patient/${id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...makePatient(), id }));
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`${server.baseUrl}/Patient/${id}/_history/1`);
  });

  test('body id missing or different from the URL id is 400', async () => {
    const created = await create();
    expectOutcome(
      await server.request.put(`/fhir/Patient/${created.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(makePatient())),
      400,
      'invalid',
    );
    expectOutcome(
      await server.request
        .put(`/fhir/Patient/${created.id}`)
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ ...makePatient(), id: 'other' })),
      400,
      'invalid',
    );
  });

  test('20 concurrent updates produce 20 consecutive versions, none lost', async () => {
    const created = await create();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.request
          .put(`/fhir/Patient/${created.id}`)
          .set('Content-Type', FHIR_JSON)
          .send(JSON.stringify({ ...created, birthDate: `19${String(i + 10)}-01-01` })),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const versions = results.map((r) => Number(JSON.parse(r.text).meta.versionId)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
  });
});

describe('patch (http.html#patch, JSON Patch)', () => {
  test('applies a JSON Patch as a new version', async () => {
    const created = await create();
    const res = await server.request
      .patch(`/fhir/Patient/${created.id}`)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/gender', value: 'female' }]));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ gender: 'female', meta: { versionId: '2' } });
  });

  test('a failed test op is 422; an invalid result is 400; a wrong content type is 415; nothing is written', async () => {
    const created = await create();
    const patch = (body: unknown, type = 'application/json-patch+json') =>
      server.request.patch(`/fhir/Patient/${created.id}`).set('Content-Type', type).send(JSON.stringify(body));
    expectOutcome(await patch([{ op: 'test', path: '/gender', value: 'female' }]), 422, 'processing');
    expectOutcome(await patch([{ op: 'replace', path: '/gender', value: 42 }]), 400, 'structure');
    expectOutcome(await patch([{ op: 'jump', path: '/gender' }]), 400, 'invalid');
    expectOutcome(await patch([{ op: 'replace', path: '/id', value: 'x' }]), 422, 'processing');
    expectOutcome(await patch({ op: 'replace' }), 400, 'invalid');
    expectOutcome(await patch([], 'text/plain'), 415, 'not-supported');
    const current = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}`)).text);
    expect(current.meta.versionId).toBe('1');
  });

  test('hostile or impossible patches are a 4xx, never a 500, and change nothing (RFC 6902)', async () => {
    const created = await create();
    const patch = (body: unknown) =>
      server.request.patch(`/fhir/Patient/${created.id}`).set('Content-Type', 'application/json-patch+json').send(JSON.stringify(body));
    // Paths into an object's prototype are no FHIR element.
    expectOutcome(await patch([{ op: 'add', path: '/__proto__/polluted', value: true }]), 400, 'invalid');
    expectOutcome(await patch([{ op: 'copy', from: '/constructor/prototype', path: '/x' }]), 400, 'invalid');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Section 4.4: a value cannot be moved into one of its own children.
    expectOutcome(await patch([{ op: 'move', from: '/name', path: '/name/0' }]), 400, 'invalid');
    // fast-json-patch's own extension op is not RFC 6902.
    expectOutcome(await patch([{ op: '_get', path: '/name' }]), 400, 'invalid');
    // Removing or replacing the whole document leaves no resource.
    expectOutcome(await patch([{ op: 'remove', path: '' }]), 422, 'processing');
    expectOutcome(await patch([{ op: 'replace', path: '', value: 5 }]), 422, 'processing');
    const current = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}`)).text);
    expect(current).toEqual(created);
  });
});

describe('patch (http.html#patch, FHIRPath Patch: fhirpatch.html)', () => {
  const operation = (type: string, path: string, more: Record<string, unknown> = {}) => ({
    name: 'operation',
    part: [
      { name: 'type', valueCode: type },
      { name: 'path', valueString: path },
      ...Object.entries(more).map(([name, v]) => ({ name, ...(v as object) })),
    ],
  });
  const fhirPathPatch = (id: string, parameters: Parameters, ifMatch?: string) => {
    const req = server.request.patch(`/fhir/Patient/${id}`).set('Content-Type', FHIR_JSON);
    return (ifMatch ? req.set('If-Match', ifMatch) : req).send(JSON.stringify(parameters));
  };

  test('applies a Parameters body as a new version, honouring If-Match', async () => {
    const created = await create({ ...makePatient(), identifier: [{ system: 'urn:mrn', value: '1' }] });
    const parameters: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        operation('replace', 'Patient.gender', { value: { valueCode: 'female' } }),
        operation('add', 'Patient', {
          name: { valueString: 'identifier' },
          value: {
            part: [
              { name: 'system', valueUri: 'urn:ssn' },
              { name: 'value', valueString: '2' },
            ],
          },
        }),
        operation('move', 'Patient.identifier', { source: { valueInteger: 1 }, destination: { valueInteger: 0 } }),
      ],
    };
    const res = await fhirPathPatch(created.id as string, parameters, 'W/"1"');
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('W/"2"');
    expect(JSON.parse(res.text)).toMatchObject({
      gender: 'female',
      identifier: [
        { system: 'urn:ssn', value: '2' },
        { system: 'urn:mrn', value: '1' },
      ],
      meta: { versionId: '2' },
    });
    expectOutcome(await fhirPathPatch(created.id as string, parameters, 'W/"1"'), 412, 'conflict');
  });

  test('a malformed patch is 400, one that cannot apply 422, an invalid result 400; nothing is written', async () => {
    const created = await create();
    const id = created.id as string;
    const patchWith = (...parameter: Parameters['parameter'] & object) => fhirPathPatch(id, { resourceType: 'Parameters', parameter });
    expectOutcome(await patchWith(operation('replace', 'Patient.gender')), 400, 'invalid');
    expectOutcome(await patchWith(operation('delete', 'Patient.link.resolve()')), 400, 'invalid');
    expectOutcome(
      await patchWith(operation('replace', 'Patient.deceasedBoolean.nope', { value: { valueBoolean: true } })),
      422,
      'processing',
    );
    expectOutcome(await patchWith(operation('replace', 'Patient.gender', { value: { valueCode: 'bogus' } })), 400, 'code-invalid');
    expectOutcome(await patchWith(operation('delete', 'Patient.id')), 422, 'processing');
    expectOutcome(
      await patchWith(operation('add', 'Patient', { name: { valueString: '__proto__' }, value: { valueString: 'x' } })),
      422,
      'processing',
    );
    // Not a Parameters resource, or Parameters that break R4 (a parameter with no name and no value).
    expectOutcome(await server.request.patch(`/fhir/Patient/${id}`).set('Content-Type', FHIR_JSON).send('[]'), 400, 'invalid');
    expectOutcome(
      await fhirPathPatch(id, { resourceType: 'Parameters', parameter: [{ part: [] }] } as unknown as Parameters),
      400,
      'invariant',
    );
    const current = JSON.parse((await server.request.get(`/fhir/Patient/${id}`)).text);
    expect(current).toEqual(created);
  });
});

describe('delete (http.html#delete)', () => {
  test('delete answers 204, then read is 410 Gone and vread of the old version still works', async () => {
    const created = await create();
    const res = await server.request.delete(`/fhir/Patient/${created.id}`);
    expect(res.status).toBe(204);
    expectOutcome(await server.request.get(`/fhir/Patient/${created.id}`), 410, 'deleted');
    await server.request.get(`/fhir/Patient/${created.id}/_history/1`).expect(200);
    expect((await server.request.delete(`/fhir/Patient/${created.id}`)).status).toBe(204);
    expect((await server.request.delete('/fhir/Patient/never-existed')).status).toBe(204);
  });

  test('an update after delete brings the resource back as the next version', async () => {
    const created = await create();
    await server.request.delete(`/fhir/Patient/${created.id}`).expect(204);
    const res = await server.request.put(`/fhir/Patient/${created.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(created));
    expect(res.status).toBe(201);
    expect(JSON.parse(res.text).meta.versionId).toBe('3');
  });
});

describe('history (http.html#history)', () => {
  test('instance history lists every version newest first, deletion included', async () => {
    const created = await create();
    await server.request
      .put(`/fhir/Patient/${created.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...created, gender: 'female' }));
    await server.request.delete(`/fhir/Patient/${created.id}`);
    const bundle = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}/_history`).expect(200)).text) as Bundle;
    expect(bundle.type).toBe('history');
    expect(bundle.entry?.map((e) => [e.request?.method, e.response?.etag])).toEqual([
      ['DELETE', 'W/"3"'],
      ['PUT', 'W/"2"'],
      ['POST', 'W/"1"'],
    ]);
    expect(bundle.entry?.[0].resource).toBeUndefined();
  });

  test('each entry names the interaction that wrote the version: create by PUT, PATCH', async () => {
    const id = `h-${Date.now()}`;
    await server.request
      .put(`/fhir/Patient/${id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Patient', id }));
    await server.request
      .patch(`/fhir/Patient/${id}`)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'add', path: '/gender', value: 'female' }]))
      .expect(200);
    const bundle = JSON.parse((await server.request.get(`/fhir/Patient/${id}/_history`).expect(200)).text) as Bundle;
    expect(bundle.entry?.map((e) => [e.request?.method, e.request?.url, e.response?.status])).toEqual([
      ['PATCH', `Patient/${id}`, '200 OK'],
      ['PUT', `Patient/${id}`, '201 Created'],
    ]);
  });

  test('type and system history page with _count and next links, without repeats', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      ids.add((await create({ ...makePatient(), gender: 'unknown' })).id as string);
    }
    const seen: string[] = [];
    let url: string | undefined = `/fhir/Patient/_history?_count=2`;
    let pages = 0;
    while (url && pages < 100) {
      const bundle = JSON.parse((await server.request.get(url).expect(200)).text) as Bundle;
      expect(bundle.entry?.length ?? 0).toBeLessThanOrEqual(2);
      seen.push(...(bundle.entry ?? []).map((e) => `${e.fullUrl}@${e.response?.etag}`));
      url = bundle.link?.find((l) => l.relation === 'next')?.url?.replace(server.baseUrl, '/fhir');
      pages++;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) {
      expect(seen).toContain(`${server.baseUrl}/Patient/${id}@W/"1"`);
    }
    const system = JSON.parse((await server.request.get('/fhir/_history?_count=1').expect(200)).text) as Bundle;
    expect(system.entry).toHaveLength(1);
  });

  test('_since filters to versions after the instant; a malformed _since is 400', async () => {
    const created = await create();
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await server.request
      .put(`/fhir/Patient/${created.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...created, gender: 'female' }));
    const bundle = JSON.parse(
      (await server.request.get(`/fhir/Patient/${created.id}/_history?_since=${since}`).expect(200)).text,
    ) as Bundle;
    expect(bundle.entry?.map((e) => e.response?.etag)).toEqual(['W/"2"']);
    expectOutcome(await server.request.get('/fhir/_history?_since=yesterday'), 400, 'invalid');
    expectOutcome(await server.request.get('/fhir/Patient/nope/_history'), 404, 'not-found');
  });
});

describe('empty Bundles (json.html: arrays are never empty)', () => {
  test('a search, a history and a batch with nothing to list leave out entry', async () => {
    const created = await create();
    const since = new Date(Date.now() + 60_000).toISOString();
    const bodies = [
      (await server.request.get('/fhir/Patient?_id=no-such-patient').expect(200)).text,
      (await server.request.get(`/fhir/Patient/${created.id}/_history?_since=${since}`).expect(200)).text,
      (
        await server.request
          .post('/fhir')
          .set('Content-Type', FHIR_JSON)
          .send(JSON.stringify({ resourceType: 'Bundle', type: 'batch' }))
          .expect(200)
      ).text,
    ];
    for (const text of bodies) {
      expect(JSON.parse(text)).toMatchObject({ resourceType: 'Bundle' });
      expect(text).not.toContain('"entry"');
    }
  });
});

describe('capabilities (http.html#capabilities)', () => {
  test('metadata is a CapabilityStatement for FHIR 4.0.1 listing what is implemented', async () => {
    const res = await server.request.get('/fhir/metadata').expect(200);
    const statement = JSON.parse(res.text);
    expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance' });
    expect(statement.patchFormat).toEqual(['application/json-patch+json', FHIR_JSON]);
    expect(statement.rest[0].resource.find((r: { type: string }) => r.type === 'Patient').conditionalRead).toBe('full-support');
    const patient = statement.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.interaction.map((i: { code: string }) => i.code)).toEqual(
      expect.arrayContaining(['read', 'vread', 'update', 'patch', 'delete', 'create', 'search-type', 'history-instance']),
    );
    expect(patient.operation.map((o: { name: string }) => o.name)).toContain('validate');
    expect(patient.searchInclude).toEqual(
      expect.arrayContaining(['*', 'Patient:*', 'Patient:general-practitioner', 'Patient:organization']),
    );
    expect(patient.searchRevInclude).toEqual(expect.arrayContaining(['Appointment:patient', 'Observation:subject', 'Encounter:patient']));
    expect(patient.searchRevInclude).not.toContain('Appointment:location');
    expect(statement.rest[0].resource).toHaveLength(146);
    expect(statement.rest[0].resource.map((r: { type: string }) => r.type)).not.toContain('SubscriptionStatus');
  });

  test('methods the API does not have are 405', async () => {
    expectOutcome(await server.request.delete('/fhir/metadata'), 405, 'not-supported');
    expectOutcome(await server.request.patch('/fhir/Patient'), 405, 'not-supported');
  });
});
