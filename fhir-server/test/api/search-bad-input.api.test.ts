import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { putAll, searchBundle } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

let server: TestServer;
const get = (path: string, headers: Record<string, string> = {}) => server.request.get(`/fhir/${path}`).set(headers);

beforeAll(async () => {
  server = await startTestServer();
  await putAll(server, [
    {
      resourceType: 'Patient',
      id: 'loop1',
      name: [{ family: 'Loop' }],
      link: [{ other: { reference: 'Patient/loop2' }, type: 'seealso' }],
    },
    {
      resourceType: 'Patient',
      id: 'loop2',
      name: [{ family: 'Loop' }],
      link: [{ other: { reference: 'Patient/loop1' }, type: 'seealso' }],
    },
  ] as (Resource & { id: string })[]);
});
afterAll(() => server.close());

describe('malformed values are a 400 OperationOutcome (search.html#errors)', () => {
  test.each([
    'Patient?birthdate=gx1970',
    'Patient?birthdate=1970-13',
    'Patient?birthdate=2023-02-29',
    'Patient?birthdate=ge',
    'Patient?birthdate=ge1970-01-01T25:00:00Z',
    'Patient?_lastUpdated=yesterday',
    'RiskAssessment?probability=gtabc',
    'RiskAssessment?probability=1.2.3',
    'Observation?value-quantity=5|a|b|c',
    'Observation?value-quantity=five||mg',
    'Patient?active:missing=perhaps',
    'Observation?code-value-quantity=8480-6',
    'Patient?_count=abc',
    'Patient?_count=1001',
    'Patient?_count=99999999999',
    'Patient?_total=maybe',
    'Patient?_summary=everything',
    'Patient?_sort=shoe-size',
    'Patient?_sort=name.family.given',
    'Patient?_cursor=not-a-cursor',
    'Patient?_include=Patient:nothing',
  ])('%s', async (path) => {
    const outcome = expectOutcome(await get(path), 400, 'invalid');
    expect(outcome.issue?.[0].diagnostics).toBeTruthy();
  });
});

describe('unknown modifiers are refused; unknown parameters are ignored unless strict (search.html#modifiers, #errors)', () => {
  test('unknown or unsupported modifiers', async () => {
    expectOutcome(await get('Patient?family:soundslike=x'), 400, 'invalid');
    expectOutcome(await get('Patient?general-practitioner:in=http://example.org/vs'), 400, 'not-supported');
    expectOutcome(await get('Patient?identifier:of-type=MR|1'), 400, 'invalid');
    expectOutcome(await get('Patient?identifier:in=http://example.org/vs'), 400, 'invalid');
    expectOutcome(await get('Patient?birthdate:text=1970'), 400, 'not-supported');
    expectOutcome(await get('Patient?general-practitioner:Spaceship=1'), 400, 'invalid');
  });

  test('_contained=true or both is refused, not answered with the containers (search.html#contained)', async () => {
    expectOutcome(await get('Patient?family=loop&_contained=true'), 400, 'not-supported');
    expectOutcome(await get('Patient?family=loop&_contained=both&_containedType=contained'), 400, 'not-supported');
    expect((await searchBundle(server, 'Patient?family=loop&_contained=false')).entry).toHaveLength(2);
  });

  test('an unknown parameter is ignored and left out of the self link; Prefer: handling=strict makes it a 400', async () => {
    const bundle = await searchBundle(server, 'Patient?family=loop&shoe-size=42&_count=5');
    expect(bundle.entry).toHaveLength(2);
    expect(bundle.link?.find((l) => l.relation === 'self')?.url).toBe(`${server.baseUrl}/Patient?family=loop&_count=5`);
    expectOutcome(await get('Patient?family=loop&shoe-size=42', { Prefer: 'handling=strict' }), 400, 'invalid');
    expect((await get('Patient?family=loop', { Prefer: 'handling=strict' })).status).toBe(200);
  });

  test('_type below the system level is an unknown parameter there: ignored and left out of the self link, or a 400 when strict', async () => {
    const bundle = await searchBundle(server, 'Patient?family=loop&_type=Observation');
    expect(bundle.entry).toHaveLength(2);
    expect(bundle.link?.find((l) => l.relation === 'self')?.url).toBe(`${server.baseUrl}/Patient?family=loop`);
    expectOutcome(await get('Patient?family=loop&_type=Observation', { Prefer: 'handling=strict' }), 400, 'invalid');
  });
});

describe('hostile strings never reach SQL as text (search.html#escaping)', () => {
  const hostile = ["'", "';DROP TABLE resource;--", '%', '_', '\\', '\\\\', '"', '$', '|', '\u0000', '😀', 'ä'.repeat(2000)];
  test.each(hostile.map((value) => [JSON.stringify(value).slice(0, 40), value]))('%s in every parameter type', async (_label, value) => {
    const encoded = encodeURIComponent(value);
    for (const path of [
      `Patient?family=${encoded}`,
      `Patient?family:contains=${encoded}`,
      `Patient?family:exact=${encoded}`,
      `Patient?identifier=${encoded}|${encoded}`,
      `Patient?language:text=${encoded}`,
      `Patient?general-practitioner=${encoded}`,
      `DocumentReference?location:below=${encoded}`,
      `DocumentReference?location:above=${encoded}`,
      `Patient?_id=${encoded}`,
    ]) {
      const res = await get(path);
      expect({ path, status: res.status < 500 }).toEqual({ path, status: true });
    }
    expect((await searchBundle(server, 'Patient?family=loop')).entry).toHaveLength(2);
  });

  test('every parameter of the telemedicine types, with every modifier, answers hostile values with 200 or 400', async () => {
    const capabilities = JSON.parse((await get('metadata')).text) as CapabilityStatement;
    const types = new Set([
      ...['Patient', 'Practitioner', 'PractitionerRole', 'Schedule', 'Slot', 'Appointment', 'Encounter', 'Composition'],
      ...['MedicationRequest', 'DocumentReference', 'AuditEvent', 'Observation', 'Communication', 'Subscription'],
    ]);
    const modifiers = ['', ':missing', ':exact', ':contains', ':text', ':not', ':above', ':below', ':identifier', ':of-type', ':Patient'];
    // One request tries several alternatives: each is parsed for the parameter's type.
    const values = encodeURIComponent(["'", '%', 'x|y|z', '9999-99', 'ge', '1e999', 'Patient/', '\\'].join(','));
    const failures: string[] = [];
    let tried = 0;
    for (const resource of capabilities.rest?.[0].resource ?? []) {
      if (!types.has(resource.type)) {
        continue;
      }
      for (const parameter of resource.searchParam ?? []) {
        for (const modifier of modifiers) {
          const path = `${resource.type}?${parameter.name}${modifier}=${values}`;
          const res = await get(path);
          tried++;
          if (res.status !== 200 && res.status !== 400) {
            failures.push(`${res.status} ${path}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(tried).toBeGreaterThan(3_000);
  });

  test('POST _search with a JSON body is a 415, not a search without the filters meant (search.html#search)', async () => {
    const posted = (type: string, body: string) => server.request.post('/fhir/Patient/_search').set('Content-Type', type).send(body);
    expectOutcome(await posted('application/json', JSON.stringify({ family: 'nobody' })), 415, 'not-supported');
    const form = JSON.parse((await posted('application/x-www-form-urlencoded', 'family=loop')).text) as Bundle;
    expect(form.entry).toHaveLength(2);
  });

  test('parameter names with SQL in them are unknown parameters, not SQL', async () => {
    const bundle = await searchBundle(server, `Patient?${encodeURIComponent('family;DELETE FROM resource')}=x`);
    expect(bundle.entry).toHaveLength(2);
  });
});

describe('expensive requests are bounded (search.html#chaining, #include)', () => {
  test('chains and _has deeper than three levels are refused as too costly', async () => {
    expectOutcome(await get('Patient?link:Patient.link:Patient.link:Patient.link:Patient.family=loop'), 400, 'too-costly');
    expectOutcome(
      await get('Patient?_has:Patient:link:_has:Patient:link:_has:Patient:link:_has:Patient:link:family=loop'),
      400,
      'too-costly',
    );
    expect((await get('Patient?link:Patient.link:Patient.family=loop')).status).toBe(200);
  });

  test('too many alternatives or parameters are refused', async () => {
    const values = Array.from({ length: 101 }, (_, i) => `x${i}`).join(',');
    expectOutcome(await get(`Patient?family=${values}`), 400, 'too-costly');
    const params = Array.from({ length: 41 }, (_, i) => `family=x${i}`).join('&');
    expectOutcome(await get(`Patient?${params}`), 400, 'too-costly');
  });

  test('_include:iterate through a reference loop ends, each resource once', async () => {
    const bundle: Bundle = await searchBundle(server, 'Patient?_id=loop1&_include:iterate=Patient:link');
    expect(bundle.entry?.map((e) => [e.search?.mode, e.resource?.id])).toEqual([
      ['match', 'loop1'],
      ['include', 'loop2'],
    ]);
    const reverse: Bundle = await searchBundle(server, 'Patient?_id=loop1&_revinclude:iterate=Patient:link');
    expect(reverse.entry?.map((e) => e.resource?.id)).toEqual(['loop1', 'loop2']);
  });

  test('a cursor of another search is a 400, not a wrong page', async () => {
    const first = await searchBundle(server, 'Patient?family=loop&_count=1&_sort=family');
    const cursor = new URL(first.link?.find((l) => l.relation === 'next')?.url as string).searchParams.get('_cursor') as string;
    expectOutcome(await get(`Patient?family=loop&_count=1&_sort=-birthdate&_cursor=${cursor}`), 400, 'invalid');
    expectOutcome(await get(`Practitioner?_cursor=${cursor}`), 400, 'invalid');
  });
});
