import net from 'node:net';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { makePatient } from '../setup/factories';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type TestServer } from '../setup/test-server';

const FHIR_JSON = 'application/fhir+json';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ MAX_BODY_BYTES: String(64 * 1024) });
});
afterAll(() => server.close());

const post = (body: string, type = FHIR_JSON, path = '/fhir/Patient') => server.request.post(path).set('Content-Type', type).send(body);

describe('bad input gets a precise 4xx OperationOutcome, never a 500 (http.html, operationoutcome.html)', () => {
  test('malformed JSON', async () => {
    const outcome = expectOutcome(await post('{"resourceType": "Patient",'), 400, 'invalid');
    expect(outcome.issue?.[0].diagnostics).toMatch(/not valid JSON/);
  });

  test('unknown and missing resourceType', async () => {
    expectOutcome(await post('{"resourceType": "Spaceship"}'), 400, 'invalid');
    expectOutcome(await post('{"name": []}'), 400, 'invalid');
    expectOutcome(await post('[1, 2]'), 400, 'invalid');
    expectOutcome(await post('"text"'), 400, 'invalid');
  });

  test('unknown elements are reported with their path', async () => {
    const outcome = expectOutcome(await post(JSON.stringify({ ...makePatient(), favouriteColour: 'blue' })), 400, 'structure');
    expect(outcome.issue?.[0].expression).toEqual(['Patient.favouriteColour']);
  });

  test('a choice element with two values, or a typed property none of its types, is a 400 and nothing is stored', async () => {
    const deceased = { ...makePatient(), identifier: [{ system: 'urn:choice-test', value: 'c1' }], deceasedBoolean: true };
    const twice = expectOutcome(await post(JSON.stringify({ ...deceased, deceasedDateTime: '2020-01-01' })), 400, 'structure');
    expect(twice.issue?.[0].expression).toEqual(['Patient.deceasedDateTime']);
    const bogus = expectOutcome(await post(JSON.stringify({ ...deceased, deceasedBogus: 1 })), 400, 'structure');
    expect(bogus.issue?.[0].expression).toEqual(['Patient.deceasedBogus']);
    const search = await server.request.get('/fhir/Patient?identifier=urn:choice-test|c1');
    expect((JSON.parse(search.text) as Bundle).entry ?? []).toHaveLength(0);
  });

  test('wrong primitive types are reported with their path', async () => {
    const outcome = expectOutcome(await post(JSON.stringify({ ...makePatient(), birthDate: 19741225 })), 400, 'structure');
    expect(outcome.issue?.[0].expression).toEqual(['Patient.birthDate']);
    expectOutcome(await post(JSON.stringify({ ...makePatient(), birthDate: '25/12/1974' })), 400, 'structure');
    expectOutcome(await post(JSON.stringify({ ...makePatient(), active: 'yes' })), 400, 'structure');
  });

  test('codes outside a required value set are refused', async () => {
    const outcome = expectOutcome(await post(JSON.stringify({ ...makePatient(), gender: 'robot' })), 400, 'code-invalid');
    expect(outcome.issue?.[0].expression).toEqual(['Patient.gender']);
  });

  test('required elements are enforced', async () => {
    const outcome = expectOutcome(
      await post(JSON.stringify({ resourceType: 'Observation' }), FHIR_JSON, '/fhir/Observation'),
      400,
      'required',
    );
    expect(outcome.issue?.map((i) => i.expression?.[0])).toEqual(expect.arrayContaining(['Observation.status', 'Observation.code']));
  });

  test('bodies over the configured limit are 413', async () => {
    const big = JSON.stringify({ ...makePatient(), name: [{ family: 'x'.repeat(70 * 1024) }] });
    expectOutcome(await post(big), 413, 'too-long');
  });

  test('deep nesting is refused before anything recursive runs', async () => {
    const deep = '{"resourceType":"Patient","extension":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    expectOutcome(await post(deep), 400, 'invalid');
  });

  test('__proto__ and constructor.prototype keys are refused; constructor is an unknown element', async () => {
    expectOutcome(await post('{"resourceType":"Patient","__proto__":{"admin":true}}'), 400, 'invalid');
    expectOutcome(await post('{"resourceType":"Patient","constructor":{"prototype":{"admin":true}}}'), 400, 'invalid');
    expectOutcome(await post('{"resourceType":"Patient","name":[{"constructor":1}]}'), 400, 'invalid');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  test('ids outside [A-Za-z0-9-.]{1,64} are refused', async () => {
    expectOutcome(await post(JSON.stringify({ ...makePatient(), id: 'has space' })), 400, 'invalid');
    expectOutcome(
      await server.request
        .put(`/fhir/Patient/${'x'.repeat(65)}`)
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify(makePatient())),
      400,
      'invalid',
    );
  });

  test('unsupported media types are 415; XML is 406', async () => {
    expectOutcome(await post('<Patient xmlns="http://hl7.org/fhir"/>', 'application/fhir+xml'), 415, 'not-supported');
    expectOutcome(await post('resourceType=Patient', 'text/plain'), 415, 'not-supported');
    expectOutcome(await server.request.get('/fhir/metadata').set('Accept', 'application/fhir+xml'), 406, 'not-supported');
    expectOutcome(await server.request.get('/fhir/metadata?_format=xml'), 406, 'not-supported');
    await server.request.get('/fhir/metadata?_format=json').expect(200);
    await server.request.get('/fhir/metadata').set('Accept', 'application/fhir+json, */*;q=0.1').expect(200);
    expectOutcome(await server.request.get('/fhir/metadata').set('Accept', 'text/html, application/json;q=0'), 406, 'not-supported');
  });

  test('the fhirVersion media type parameter: 4.0 is answered and accepted, another version is 406 (Accept) or 415 (Content-Type); DSTU2 JSON types work (http.html#version-parameter)', async () => {
    for (const accept of [
      'application/fhir+json; fhirVersion=4.0',
      'application/fhir+json;fhirVersion="4.0.1";q=0.9',
      'application/json+fhir',
    ]) {
      const res = await server.request.get('/fhir/metadata').set('Accept', accept);
      expect([accept, res.status]).toEqual([accept, 200]);
    }
    const other = expectOutcome(
      await server.request.get('/fhir/metadata').set('Accept', 'application/fhir+json; fhirVersion=3.0'),
      406,
      'not-supported',
    );
    expect(other.issue?.[0].diagnostics).toContain('FHIR 4.0');
    await server.request
      .get('/fhir/metadata')
      .set('Accept', 'application/fhir+json; fhirVersion=3.0, application/fhir+json; fhirVersion=4.0')
      .expect(200);
    for (const type of ['application/fhir+json; fhirVersion=4.0', 'application/json+fhir']) {
      expect([type, (await post(JSON.stringify(makePatient()), type)).status]).toEqual([type, 201]);
    }
    expectOutcome(await post(JSON.stringify(makePatient()), 'application/fhir+json; fhirVersion=5.0'), 415, 'not-supported');
  });

  test('an invalid write leaves what is stored untouched', async () => {
    const created = JSON.parse((await post(JSON.stringify(makePatient()))).text);
    expectOutcome(
      await server.request
        .put(`/fhir/Patient/${created.id}`)
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ ...created, gender: ['female'] })),
      400,
      'structure',
    );
    const current = JSON.parse((await server.request.get(`/fhir/Patient/${created.id}`)).text);
    expect(current).toEqual(created);
  });

  test('$validate reports issues without storing, and All OK for a valid resource', async () => {
    const bad = await server.request
      .post('/fhir/Patient/$validate')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...makePatient(), gender: 5 }));
    expect(bad.status).toBe(200);
    expect(JSON.parse(bad.text).issue[0]).toMatchObject({ severity: 'error', expression: ['Patient.gender'] });
    const good = await server.request
      .post('/fhir/Patient/$validate')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: makePatient() }] }));
    expect(JSON.parse(good.text).issue[0]).toMatchObject({ severity: 'information' });
    expectOutcome(await server.request.post('/fhir/Patient/$nope').set('Content-Type', FHIR_JSON).send('{}'), 404, 'not-found');
  });

  test('$validate with Parameters lacking the resource, or whose parameter is no array, is a 400 (not a verdict)', async () => {
    const validate = (body: unknown) => post(JSON.stringify(body), FHIR_JSON, '/fhir/Patient/$validate');
    expectOutcome(await validate({ resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'create' }] }), 400, 'invalid');
    expectOutcome(await validate({ resourceType: 'Parameters', parameter: 5 }), 400, 'structure');
  });
});

/** Sends raw bytes and returns the whole answer (the server closes the connection after it). */
function rawExchange(request: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(server.address);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body });
    });
  });
}

test('values the structure validator lets through are a 400 naming the element; nothing is stored', async () => {
  const observation = (change: Record<string, unknown>) =>
    JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, ...change });
  const wrongType = expectOutcome(
    await post(observation({ code: { coding: [{ code: {} }] } }), FHIR_JSON, '/fhir/Observation'),
    400,
    'structure',
  );
  expect(wrongType.issue?.[0].expression).toEqual(['Observation.code.coding[0].code']);
  const control = expectOutcome(
    await post(observation({ meta: { tag: [{ system: 'urn:x\u0000', code: 't' }] } }), FHIR_JSON, '/fhir/Observation'),
    400,
    'value',
  );
  expect(control.issue?.[0].expression).toEqual(['Observation.meta.tag[0].system']);
  // A primitive's _x companion of the wrong shape made the structure validator throw (a 500).
  for (const [change, expression] of [
    [{ _status: 'x' }, 'Observation._status'],
    [{ _id: ['x'] }, 'Observation._id'],
    [{ code: { text: 'pulse', _text: 5 } }, 'Observation.code._text'],
  ] as const) {
    const outcome = expectOutcome(await post(observation(change), FHIR_JSON, '/fhir/Observation'), 400, 'structure');
    expect(outcome.issue?.[0].expression).toEqual([expression]);
  }
  expectOutcome(await post(observation({ subject: { reference: [] } }), FHIR_JSON, '/fhir/Observation'), 400, 'structure');
  const stored = JSON.parse((await server.request.get('/fhir/Observation?code:text=pulse&_summary=count')).text) as Bundle;
  expect(stored.total).toBe(0);
});

test('a quantity too large for its canonical unit is stored, not indexed in that unit', async () => {
  const huge = { value: 1e308, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' };
  const res = await post(
    JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'mass' }, valueQuantity: huge }),
    FHIR_JSON,
    '/fhir/Observation',
  );
  expect(res.status).toBe(201);
});

test('an operation whose Parameters.parameter is not an array of objects is a 400 naming it (operations.html#request)', async () => {
  for (const path of ['/fhir/Appointment/$find', '/fhir/Patient/$validate', '/fhir/$reindex']) {
    const notArray = await post(JSON.stringify({ resourceType: 'Parameters', parameter: 5 }), FHIR_JSON, path);
    expect({ path, expression: expectOutcome(notArray, 400, 'structure').issue?.[0].expression }).toEqual({
      path,
      expression: ['Parameters.parameter'],
    });
    const notObject = await post(JSON.stringify({ resourceType: 'Parameters', parameter: [null] }), FHIR_JSON, path);
    expect({ path, expression: expectOutcome(notObject, 400, 'structure').issue?.[0].expression }).toEqual({
      path,
      expression: ['Parameters.parameter[0]'],
    });
  }
});

test('a Parameters body of an operation is checked against R4: unknown elements, wrong value types, no name, two values (parameters.html)', async () => {
  const bodies: Record<string, unknown> = {
    'unknown element': { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: 'http://x', valueBogus: 1 }] },
    'unknown top-level element': { resourceType: 'Parameters', parameter: [], bogus: true },
    'wrong value type': { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: 42 }] },
    'no name': { resourceType: 'Parameters', parameter: [{ valueString: 'x' }] },
    'two values (inv-1)': { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: 'http://x', valueString: 'y' }] },
    'a nested part with a wrong type': {
      resourceType: 'Parameters',
      parameter: [{ name: 'url', part: [{ name: 'p', valueBoolean: 'yes' }] }],
    },
  };
  for (const path of ['/fhir/Appointment/$find', '/fhir/Patient/$validate', '/fhir/$reindex']) {
    for (const [what, body] of Object.entries(bodies)) {
      const res = await post(JSON.stringify(body), FHIR_JSON, path);
      const expression = (JSON.parse(res.text) as OperationOutcome).issue?.[0].expression?.[0];
      expect({ path, what, status: res.status, expression }).toEqual({
        path,
        what,
        status: 400,
        expression: expect.stringMatching(/^Parameters/),
      });
    }
  }
  // The resources a body carries are the operation's to check: $validate still gives its verdict.
  const invalidPatient = { resourceType: 'Patient', gender: 'sometimes' };
  const verdict = await post(
    JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: invalidPatient }] }),
    FHIR_JSON,
    '/fhir/Patient/$validate',
  );
  expect(verdict.status).toBe(200);
  expect((JSON.parse(verdict.text) as OperationOutcome).issue?.[0]).toMatchObject({ severity: 'error', expression: ['Patient.gender'] });
});

describe('requests Node refuses before the app sees them still get an OperationOutcome', () => {
  test('a request line over 16 kB is 431 too-long, naming POST _search; the same search as POST _search works', async () => {
    // Three parameters of 100 alternatives each (the most a parameter may have), 60 characters long.
    const values = (prefix: string) => Array.from({ length: 100 }, (_, i) => `${prefix}-${String(i).padStart(56, '0')}`).join(',');
    const search = { _id: values('pid'), identifier: values('idn'), family: values('fam') };
    const query = new URLSearchParams(search).toString();
    expect(query.length).toBeGreaterThan(16 * 1024);
    const answer = await rawExchange(`GET /fhir/Patient?${query} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.headers).toMatch(/content-type: application\/fhir\+json/i);
    const outcome = JSON.parse(answer.body) as OperationOutcome;
    expect(outcome.issue?.[0]).toMatchObject({ code: 'too-long', diagnostics: expect.stringContaining('_search') });

    const searched = await server.request.post('/fhir/Patient/_search').type('form').send(search);
    expect(searched.status).toBe(200);
    expect((JSON.parse(searched.text) as Bundle).entry ?? []).toEqual([]);
  });

  test('bytes that are not HTTP are 400 structure', async () => {
    const answer = await rawExchange('HELLO THERE\r\n\r\n');
    expect(answer.status).toBe(400);
    expect((JSON.parse(answer.body) as OperationOutcome).issue?.[0].code).toBe('structure');
  });
});

test('a narrative with a script, an event handler or a javascript: link is a 400 naming its div; nothing is stored (narrative.html, txt-1)', async () => {
  const div = (inner: string) => `<div xmlns="http://www.w3.org/1999/xhtml">${inner}</div>`;
  const created = JSON.parse((await post(JSON.stringify({ ...makePatient(), text: { status: 'generated', div: div('Anna') } }))).text);
  const update = (change: Record<string, unknown>) =>
    server.request
      .put(`/fhir/Patient/${created.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...created, ...change }));

  const script = expectOutcome(await update({ text: { status: 'generated', div: div('<script>steal()</script>Anna') } }), 400, 'invariant');
  expect(script.issue?.[0]).toMatchObject({ expression: ['Patient.text.div'], diagnostics: expect.stringContaining('<script>') });
  const contained = expectOutcome(
    await update({
      contained: [{ resourceType: 'Organization', id: 'o', name: 'x', text: { status: 'generated', div: div('<p onclick="x()">x</p>') } }],
    }),
    400,
    'invariant',
  );
  expect(contained.issue?.[0].expression).toEqual(['Patient.contained[0].text.div']);
  const section = expectOutcome(
    await post(
      JSON.stringify({
        resourceType: 'Composition',
        status: 'final',
        type: { text: 'note' },
        date: '2026-11-27',
        author: [{ display: 'Dr X' }],
        title: 'Note',
        section: [{ title: 'Plan', text: { status: 'generated', div: div('<a href="javascript:alert(1)">plan</a>') } }],
      }),
      FHIR_JSON,
      '/fhir/Composition',
    ),
    400,
    'invariant',
  );
  expect(section.issue?.[0].expression).toEqual(['Composition.section[0].text.div']);
  expectOutcome(await update({ text: { status: 'generated', div: '<div>not XHTML' } }), 400, 'invariant');
  expect(JSON.parse((await server.request.get(`/fhir/Patient/${created.id}`)).text)).toEqual(created);
});
