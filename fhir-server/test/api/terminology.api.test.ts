import type { Bundle, CodeSystem, Parameters, ValueSet } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type TestServer } from '../setup/test-server';

const FHIR_JSON = 'application/fhir+json';
const BASE = 'https://medbuddy.dev/fhir';
const SPECIALTY_VS = `${BASE}/ValueSet/specialty`;
const SPECIALTY_CS = `${BASE}/CodeSystem/specialty`;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const get = (path: string) => server.request.get(`/fhir/${path}`);
const post = (path: string, body: unknown) =>
  server.request.post(`/fhir/${path}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(body));
const json = <T>(res: { text: string }): T => JSON.parse(res.text) as T;
const codes = (vs: ValueSet): string[] => (vs.expansion?.contains ?? []).map((c) => c.code as string);
const param = (p: Parameters, name: string) => p.parameter?.find((x) => x.name === name);

describe('packaged terminology is stored at start-up as ordinary resources', () => {
  test('code systems and value sets are readable by their packaged id', async () => {
    const res = await get('CodeSystem/specialty');
    expect(res.status).toBe(200);
    expect(json<CodeSystem>(res)).toMatchObject({ url: SPECIALTY_CS, meta: { versionId: '1' } });
    expect((await get('ValueSet/languages')).status).toBe(200);
  });

  test('ValueSet?url= finds a value set by canonical URL (search.html#uri)', async () => {
    const bundle = json<Bundle<ValueSet>>(await get(`ValueSet?url=${encodeURIComponent(SPECIALTY_VS)}`));
    expect(bundle.entry?.map((e) => e.resource?.id)).toEqual(['specialty']);
  });
});

describe('ValueSet/$expand (valueset-operation-expand.html)', () => {
  test('GET by url, with filter, paging and displayLanguage', async () => {
    const res = await get(`ValueSet/$expand?url=${encodeURIComponent(SPECIALTY_VS)}&filter=cardio&displayLanguage=de&count=1`);
    expect(res.status).toBe(200);
    const expansion = json<ValueSet>(res);
    expect(expansion.expansion?.total).toBe(2);
    expect(expansion.expansion?.contains).toEqual([{ system: SPECIALTY_CS, version: '0.1.0', code: 'cardiology', display: 'Kardiologie' }]);
    const second = json<ValueSet>(
      await get(`ValueSet/$expand?url=${encodeURIComponent(SPECIALTY_VS)}&filter=cardio&displayLanguage=de&offset=1`),
    );
    expect(codes(second)).toEqual(['pediatric-cardiology']);
  });

  test('instance level and POST with Parameters give the same expansion', async () => {
    const viaInstance = json<ValueSet>(await get('ValueSet/specialty/$expand?filter=psych'));
    const viaPost = json<ValueSet>(
      await post('ValueSet/$expand', {
        resourceType: 'Parameters',
        parameter: [
          { name: 'url', valueUri: SPECIALTY_VS },
          { name: 'filter', valueString: 'psych' },
        ],
      }),
    );
    // "Mental health" matches through its German designation "Psychische Gesundheit".
    expect(codes(viaInstance)).toEqual(['mental-health', 'psychiatry', 'child-psychiatry', 'psychotherapy']);
    expect(codes(viaPost)).toEqual(codes(viaInstance));
  });

  test('an inline value set is expanded; a malformed filter in it is a 400', async () => {
    const inline = (filter: object) => ({
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'valueSet',
          resource: { resourceType: 'ValueSet', status: 'active', compose: { include: [{ system: SPECIALTY_CS, filter: [filter] }] } },
        },
      ],
    });
    const ok = await post('ValueSet/$expand', inline({ property: 'concept', op: 'is-a', value: 'pediatrics' }));
    expect(codes(json<ValueSet>(ok))).toEqual(['pediatrics', 'pediatric-cardiology', 'pediatric-endocrinology']);
    const bad = expectOutcome(await post('ValueSet/$expand', inline({ property: 'flavour', op: '=', value: 'x' })), 400, 'invalid');
    expect(bad.issue?.[0]?.diagnostics).toContain('flavour');
    expectOutcome(await post('ValueSet/$expand', inline({ property: 'concept', op: 'regex', value: '(a+)+$' })), 400, 'not-supported');
  });

  test('bad input is a 4xx OperationOutcome: huge, negative or non-numeric count, unknown parameter, unknown value set', async () => {
    const url = encodeURIComponent(SPECIALTY_VS);
    expectOutcome(await get(`ValueSet/$expand?url=${url}&count=100000000000`), 400, 'invalid');
    expectOutcome(await get(`ValueSet/$expand?url=${url}&count=99999999999999999999`), 400, 'invalid');
    expectOutcome(await get(`ValueSet/$expand?url=${url}&count=-1`), 400, 'invalid');
    expectOutcome(await get(`ValueSet/$expand?url=${url}&count=ten`), 400, 'invalid');
    expectOutcome(await get(`ValueSet/$expand?url=${url}&colour=red`), 400, 'invalid');
    expectOutcome(await get(`ValueSet/$expand?url=${url}&filter=${'x'.repeat(500)}`), 400, 'invalid');
    expectOutcome(await get('ValueSet/$expand?url=http%3A%2F%2Fexample.org%2Fnope'), 404, 'not-found');
    expectOutcome(await get('ValueSet/$expand'), 400, 'invalid');
    expectOutcome(await get('ValueSet/no-such-id/$expand'), 404, 'not-found');
    expectOutcome(await post('ValueSet/$expand', { resourceType: 'Patient' }), 400, 'invalid');
  });
});

describe('ValueSet/$validate-code (valueset-operation-validate-code.html)', () => {
  test('GET with url, system and code; a code outside the value set is result=false with a message', async () => {
    const url = encodeURIComponent(SPECIALTY_VS);
    const ok = json<Parameters>(await get(`ValueSet/$validate-code?url=${url}&system=${encodeURIComponent(SPECIALTY_CS)}&code=cardiology`));
    expect(ok.parameter).toEqual([
      { name: 'result', valueBoolean: true },
      { name: 'display', valueString: 'Cardiology' },
    ]);
    const bad = json<Parameters>(await get(`ValueSet/$validate-code?url=${url}&code=astrology`));
    expect(param(bad, 'result')?.valueBoolean).toBe(false);
    expect(param(bad, 'message')?.valueString).toContain('astrology');
  });

  test('POST with a CodeableConcept: valid when one coding is in the value set', async () => {
    const res = await post('ValueSet/specialty/$validate-code', {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'codeableConcept',
          valueCodeableConcept: {
            coding: [
              { system: 'http://snomed.info/sct', code: '394579002' },
              { system: SPECIALTY_CS, code: 'cardiology' },
            ],
          },
        },
      ],
    });
    expect(param(json<Parameters>(res), 'result')?.valueBoolean).toBe(true);
  });

  test('systemVersion, or the version of a coding, must be the version the value set has', async () => {
    const url = `ValueSet/$validate-code?url=${encodeURIComponent(SPECIALTY_VS)}&system=${encodeURIComponent(SPECIALTY_CS)}&code=cardiology`;
    expect(param(json<Parameters>(await get(`${url}&systemVersion=0.1.0`)), 'result')?.valueBoolean).toBe(true);
    const other = json<Parameters>(await get(`${url}&systemVersion=9.9`));
    expect(param(other, 'result')?.valueBoolean).toBe(false);
    expect(param(other, 'message')?.valueString).toContain('9.9');
    const coding = await post('ValueSet/specialty/$validate-code', {
      resourceType: 'Parameters',
      parameter: [{ name: 'coding', valueCoding: { system: SPECIALTY_CS, code: 'cardiology', version: '9.9' } }],
    });
    expect(param(json<Parameters>(coding), 'result')?.valueBoolean).toBe(false);
  });

  test('no code to validate, or a Coding in the URL, is a 400', async () => {
    expectOutcome(await get(`ValueSet/$validate-code?url=${encodeURIComponent(SPECIALTY_VS)}`), 400, 'invalid');
    expectOutcome(await get(`ValueSet/$validate-code?url=${encodeURIComponent(SPECIALTY_VS)}&coding=x`), 400, 'invalid');
  });
});

describe('CodeSystem/$lookup (codesystem-operation-lookup.html)', () => {
  test('GET and POST return name, display, designations and properties', async () => {
    const viaGet = json<Parameters>(
      await get(`CodeSystem/$lookup?system=${encodeURIComponent(SPECIALTY_CS)}&code=cardiology&displayLanguage=fr`),
    );
    expect(param(viaGet, 'display')?.valueString).toBe('Cardiologie');
    expect(viaGet.parameter?.filter((p) => p.name === 'designation')).toHaveLength(3);
    const viaPost = json<Parameters>(
      await post('CodeSystem/$lookup', {
        resourceType: 'Parameters',
        parameter: [
          { name: 'coding', valueCoding: { system: SPECIALTY_CS, code: 'cardiology' } },
          { name: 'property', valueCode: 'parent' },
        ],
      }),
    );
    expect(viaPost.parameter?.filter((p) => p.name === 'property')).toEqual([
      {
        name: 'property',
        part: [
          { name: 'code', valueCode: 'parent' },
          { name: 'value', valueCode: 'medical-specialties' },
        ],
      },
    ]);
  });

  test('code system fragments are found by their external canonical URL (LOINC)', async () => {
    const res = await get('CodeSystem/$lookup?system=http%3A%2F%2Floinc.org&code=51848-0');
    expect(param(json<Parameters>(res), 'display')?.valueString).toBe('Evaluation note');
  });

  test('base R4 code systems can be looked up', async () => {
    const res = await get('CodeSystem/$lookup?system=http%3A%2F%2Fhl7.org%2Ffhir%2Fadministrative-gender&code=other');
    expect(param(json<Parameters>(res), 'display')?.valueString).toBe('Other');
  });

  test('an unknown code system or code is a 404; missing system or code is a 400', async () => {
    expectOutcome(await get('CodeSystem/$lookup?system=http%3A%2F%2Fexample.org%2Fnope&code=x'), 404, 'not-found');
    expectOutcome(await get(`CodeSystem/$lookup?system=${encodeURIComponent(SPECIALTY_CS)}&code=astrology`), 404, 'not-found');
    expectOutcome(await get('CodeSystem/$lookup?code=x'), 400, 'invalid');
    // Code systems are looked up as they are now: a date in the past is not answered as current.
    expectOutcome(
      await get(`CodeSystem/$lookup?system=${encodeURIComponent(SPECIALTY_CS)}&code=cardiology&date=2020-01-01`),
      400,
      'invalid',
    );
  });
});

describe('CodeSystem/$subsumes (codesystem-operation-subsumes.html)', () => {
  test('type and instance level', async () => {
    const system = encodeURIComponent(SPECIALTY_CS);
    const outcome = async (path: string) => param(json<Parameters>(await get(path)), 'outcome')?.valueCode;
    expect(await outcome(`CodeSystem/$subsumes?system=${system}&codeA=pediatrics&codeB=pediatric-cardiology`)).toBe('subsumes');
    expect(await outcome(`CodeSystem/$subsumes?system=${system}&codeA=pediatric-cardiology&codeB=pediatrics`)).toBe('subsumed-by');
    expect(await outcome('CodeSystem/cancellation-reason/$subsumes?codeA=patient&codeB=practitioner-illness')).toBe('not-subsumed');
    expect(await outcome('CodeSystem/cancellation-reason/$subsumes?codeA=platform&codeB=technical-failure')).toBe('subsumes');
  });

  test('unknown codes are a 404; codings of two systems, or no system, a 400', async () => {
    expectOutcome(await get('CodeSystem/specialty/$subsumes?codeA=cardiology&codeB=astrology'), 404, 'not-found');
    expectOutcome(await get('CodeSystem/$subsumes?codeA=a&codeB=b'), 400, 'invalid');
    const twoSystems = await post('CodeSystem/$subsumes', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'codingA', valueCoding: { system: SPECIALTY_CS, code: 'cardiology' } },
        { name: 'codingB', valueCoding: { system: 'http://loinc.org', code: '11488-4' } },
      ],
    });
    expectOutcome(twoSystems, 400, 'invalid');
  });
});

describe('admins change terminology through the FHIR API, effective at once', () => {
  test('adding a specialty and retiring another shows in $expand and $validate-code without restart', async () => {
    const current = json<CodeSystem>(await get('CodeSystem/specialty'));
    const concept = (current.concept ?? []).map((c) =>
      c.code === 'ophthalmology' ? { ...c, property: [{ code: 'status', valueCode: 'retired' }] } : c,
    );
    concept.push({ code: 'sleep-medicine', display: 'Sleep medicine' });
    const updated = await server.request
      .put('/fhir/CodeSystem/specialty')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...current, concept }));
    expect(updated.status).toBe(200);

    const url = encodeURIComponent(SPECIALTY_VS);
    const validate = async (code: string) =>
      param(json<Parameters>(await get(`ValueSet/$validate-code?url=${url}&code=${code}`)), 'result')?.valueBoolean;
    expect(await validate('sleep-medicine')).toBe(true);
    expect(await validate('ophthalmology')).toBe(false);
    const expansion = json<ValueSet>(await get(`ValueSet/$expand?url=${url}&filter=sleep`));
    expect(codes(expansion)).toEqual(['sleep-medicine']);
  });
});
