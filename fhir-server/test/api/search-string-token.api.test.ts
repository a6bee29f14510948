import type { Patient, ValueSet } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { matchSet, putAll } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

let server: TestServer;
const V2 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const ids = (query: string) => matchSet(server, `Patient?${query}`);

const patients: (Patient & { id: string })[] = [
  {
    resourceType: 'Patient',
    id: 'anna',
    meta: { tag: [{ system: 'urn:medbuddy:cohort', code: 'pilot' }] },
    name: [{ family: 'Müller', given: ['Anna', 'Maria'] }],
    gender: 'female',
    active: true,
    identifier: [{ system: 'urn:mrn', value: 'M-1', type: { coding: [{ system: V2, code: 'MR' }] } }],
    telecom: [{ system: 'email', value: 'anna@example.org' }],
    address: [{ city: 'Zürich', country: 'CH' }],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'de', display: 'German' }], text: 'Deutsch' } }],
  },
  {
    resourceType: 'Patient',
    id: 'bob',
    name: [{ family: 'Smith', given: ['Robert'] }],
    gender: 'male',
    active: false,
    identifier: [
      { system: 'urn:mrn', value: 'M-2', type: { coding: [{ system: V2, code: 'MR' }] } },
      { system: 'urn:ssn', value: '123', type: { coding: [{ system: V2, code: 'SS' }], text: 'Social security' } },
    ],
    telecom: [{ system: 'phone', value: '555-0100' }],
  },
  { resourceType: 'Patient', id: 'carl', name: [{ family: 'Smithson', given: ['Carl'] }], gender: 'male', identifier: [{ value: 'M-3' }] },
  {
    resourceType: 'Patient',
    id: 'dana',
    name: [{ family: "O'Neil-Dupont", given: ['Dana'] }],
    gender: 'unknown',
    address: [{ city: 'Paris' }],
  },
  { resourceType: 'Patient', id: 'emil', name: [{ family: 'Émile', given: ['Jean  Luc'] }] },
  { resourceType: 'Patient', id: 'fay', name: [{ family: '100% Real_Name' }], identifier: [{ value: 'a,b' }, { value: 'x|y' }] },
];

beforeAll(async () => {
  server = await startTestServer();
  await putAll(server, patients);
});
afterAll(() => server.close());

describe('string parameters (search.html#string)', () => {
  test('match when a part starts with the value, ignoring case and accents', async () => {
    expect(await ids('family=smith')).toEqual(['bob', 'carl']);
    expect(await ids('family=SMITH')).toEqual(['bob', 'carl']);
    expect(await ids('family=muller')).toEqual(['anna']);
    expect(await ids('family=Mül')).toEqual(['anna']);
    expect(await ids('family=emile')).toEqual(['emil']);
    expect(await ids('address-city=zur')).toEqual(['anna']);
  });

  test('name matches any part of a HumanName; white space runs count as one', async () => {
    expect(await ids('name=robert')).toEqual(['bob']);
    expect(await ids('name=smith')).toEqual(['bob', 'carl']);
    expect(await ids('given=jean%20luc')).toEqual(['emil']);
    expect(await ids('given=jean')).toEqual(['emil']);
  });

  test(':exact matches the whole value, case and accents included', async () => {
    expect(await ids('family:exact=Smith')).toEqual(['bob']);
    expect(await ids('family:exact=smith')).toEqual([]);
    expect(await ids('family:exact=Müller')).toEqual(['anna']);
    expect(await ids('family:exact=Muller')).toEqual([]);
  });

  test(':contains matches anywhere in the value', async () => {
    expect(await ids('family:contains=mith')).toEqual(['bob', 'carl']);
    expect(await ids('family:contains=NEIL')).toEqual(['dana']);
  });

  test('phonetic matches by sound (Soundex)', async () => {
    expect(await ids('phonetic=Smyth')).toEqual(['bob']);
    expect(await ids('phonetic=Roberd')).toEqual(['bob']);
  });

  test('comma-separated values are alternatives (OR), repeated parameters all apply (AND) (search.html#combining)', async () => {
    expect(await ids('family=smith,muller')).toEqual(['anna', 'bob', 'carl']);
    expect(await ids('family=smith&given=carl')).toEqual(['carl']);
    expect(await ids('family=smith&family=muller')).toEqual([]);
  });

  test(':missing finds resources without (true) or with (false) a value (search.html#missing)', async () => {
    expect(await ids('address:missing=true')).toEqual(['bob', 'carl', 'emil', 'fay']);
    expect(await ids('address:missing=false')).toEqual(['anna', 'dana']);
  });

  test('LIKE wildcards and quotes in values match literally (search.html#escaping)', async () => {
    expect(await ids('family=100%25')).toEqual(['fay']);
    expect(await ids('family=%25')).toEqual([]);
    expect(await ids('family:contains=r_al')).toEqual([]);
    expect(await ids('family:contains=real_')).toEqual(['fay']);
    expect(await ids("family=o'neil")).toEqual(['dana']);
    expect(await ids("family=' OR 1=1 --")).toEqual([]);
    expect(await ids('family=%5C')).toEqual([]);
  });
});

describe('token parameters (search.html#token)', () => {
  test('a code matches in any system; codes are case-sensitive', async () => {
    expect(await ids('gender=male')).toEqual(['bob', 'carl']);
    expect(await ids('gender=MALE')).toEqual([]);
    expect(await ids('gender=male,female')).toEqual(['anna', 'bob', 'carl']);
  });

  test('system|code, |code (no system) and system| (any code of the system)', async () => {
    expect(await ids('identifier=M-1')).toEqual(['anna']);
    expect(await ids('identifier=urn:mrn|M-2')).toEqual(['bob']);
    expect(await ids('identifier=urn:ssn|M-2')).toEqual([]);
    expect(await ids('identifier=|M-3')).toEqual(['carl']);
    expect(await ids('identifier=|M-1')).toEqual([]);
    expect(await ids('identifier=urn:mrn|')).toEqual(['anna', 'bob']);
  });

  test('system|code on a plain code element matches by the system its required binding implies', async () => {
    expect(await ids('gender=http://hl7.org/fhir/administrative-gender|female')).toEqual(['anna']);
    expect(await ids('gender:not=http://hl7.org/fhir/administrative-gender|male')).toEqual(['anna', 'dana', 'emil', 'fay']);
    expect(await ids('gender=http://example.org/other-genders|female')).toEqual([]);
  });

  test(':of-type matches identifiers by type coding and value, system|code|value (search.html#modifiers)', async () => {
    expect(await ids(`identifier:of-type=${V2}|MR|M-1`)).toEqual(['anna']);
    expect(await ids(`identifier:of-type=${V2}|MR|M-2,${V2}|SS|123`)).toEqual(['bob']);
    expect(await ids(`identifier:of-type=${V2}|SS|M-2`)).toEqual([]);
    expect(await ids(`identifier:of-type=${V2}|MR|123`)).toEqual([]);
    expect(await ids(`identifier:of-type=urn:other|MR|M-1`)).toEqual([]);
    expect(await ids(`identifier:of-type=${V2}|MR|M-3`)).toEqual([]);
    const partial = await server.request.get(`/fhir/Patient?identifier:of-type=MR|M-1`);
    expectOutcome(partial, 400, 'invalid');
  });

  test('escaped , and | are part of the code (search.html#escaping)', async () => {
    expect(await ids('identifier=a%5C,b')).toEqual(['fay']);
    expect(await ids('identifier=x%5C|y')).toEqual(['fay']);
    expect(await ids('identifier=a,b')).toEqual([]);
  });

  test(':not finds resources without a matching value, including those with no value', async () => {
    expect(await ids('gender:not=male')).toEqual(['anna', 'dana', 'emil', 'fay']);
    expect(await ids('gender:not=male,female')).toEqual(['dana', 'emil', 'fay']);
  });

  test('booleans, :missing', async () => {
    expect(await ids('active=true')).toEqual(['anna']);
    expect(await ids('active=false')).toEqual(['bob']);
    expect(await ids('active:missing=true')).toEqual(['carl', 'dana', 'emil', 'fay']);
  });

  test('ContactPoints: email/phone by value, telecom by system|value', async () => {
    expect(await ids('email=anna@example.org')).toEqual(['anna']);
    expect(await ids('phone=555-0100')).toEqual(['bob']);
    expect(await ids('telecom=phone|555-0100')).toEqual(['bob']);
    expect(await ids('telecom=email|555-0100')).toEqual([]);
  });

  test('CodeableConcepts by code, system|code, and :text on the text or a display (search.html#modifiers)', async () => {
    expect(await ids('language=de')).toEqual(['anna']);
    expect(await ids('language=urn:ietf:bcp:47|de')).toEqual(['anna']);
    expect(await ids('language:text=deut')).toEqual(['anna']);
    expect(await ids('language:text=GERMAN')).toEqual(['anna']);
    expect(await ids('language:text=french')).toEqual([]);
  });

  test(':in and :not-in search by the codes of a value set, by canonical URL or as ValueSet/<id> (search.html#modifiers)', async () => {
    await putAll(server, [
      {
        resourceType: 'ValueSet',
        id: 'alpine-languages',
        url: 'https://medbuddy.test/ValueSet/alpine-languages',
        status: 'active',
        compose: { include: [{ system: 'urn:ietf:bcp:47', concept: [{ code: 'de' }, { code: 'it' }, { code: 'rm' }] }] },
      } as ValueSet & { id: string },
    ]);
    expect(await ids('language:in=https://medbuddy.test/ValueSet/alpine-languages')).toEqual(['anna']);
    expect(await ids('language:in=ValueSet/alpine-languages')).toEqual(['anna']);
    expect(await ids('language:not-in=https://medbuddy.test/ValueSet/alpine-languages')).toEqual(['bob', 'carl', 'dana', 'emil', 'fay']);
    expect(await ids('gender:in=http://hl7.org/fhir/ValueSet/administrative-gender&gender:not-in=ValueSet/alpine-languages')).toEqual([
      'anna',
      'bob',
      'carl',
      'dana',
    ]);
    expectOutcome(await server.request.get('/fhir/Patient?language:in=https://medbuddy.test/ValueSet/nothing'), 400, 'invalid');
    await putAll(server, [
      {
        resourceType: 'ValueSet',
        id: 'too-many',
        status: 'active',
        compose: { include: [{ system: 'urn:test', concept: Array.from({ length: 101 }, (_, i) => ({ code: `c${i}` })) }] },
      } as ValueSet & { id: string },
    ]);
    const tooMany = expectOutcome(await server.request.get('/fhir/Patient?language:in=ValueSet/too-many'), 400, 'too-costly');
    expect(tooMany.issue?.[0]?.diagnostics).toContain('101 codes');
  });

  test(':in and :not-in at the end of a chain and of _has (search.html#chaining, #has)', async () => {
    // gus speaks Romansh and links to anna, who speaks German: both alpine languages.
    const gus: Patient & { id: string } = {
      resourceType: 'Patient',
      id: 'gus',
      communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'rm' }] } }],
      link: [{ other: { reference: 'Patient/anna' }, type: 'seealso' }],
    };
    await putAll(server, [gus]);
    try {
      expect(await ids('link:Patient.language:in=ValueSet/alpine-languages')).toEqual(['gus']);
      expect(await ids('link:Patient.language:not-in=ValueSet/alpine-languages')).toEqual([]);
      expect(await ids('_has:Patient:link:language:in=https://medbuddy.test/ValueSet/alpine-languages')).toEqual(['anna']);
      expectOutcome(await server.request.get('/fhir/Patient?link:Patient.family:in=ValueSet/alpine-languages'), 400, 'not-supported');
      expectOutcome(await server.request.get('/fhir/Patient?link:Patient.language:in=ValueSet/nothing'), 400, 'invalid');
    } finally {
      await server.request.delete('/fhir/Patient/gus').expect(204);
    }
  });

  test('_id, _id:not and _tag (search.html#all)', async () => {
    expect(await ids('_id=anna,bob')).toEqual(['anna', 'bob']);
    expect(await ids('_id:not=anna')).toEqual(['bob', 'carl', 'dana', 'emil', 'fay']);
    expect(await ids('_tag=urn:medbuddy:cohort|pilot')).toEqual(['anna']);
    expect(await ids('_tag:not=urn:medbuddy:cohort|pilot&gender=female,male')).toEqual(['bob', 'carl']);
  });
});

// Last in the file: these patients would change the answers of the searches above.
describe('starts-with as an index range (storage/search-sql/string.ts)', () => {
  test('ends the range just past the prefix, beyond ASCII as well', async () => {
    await putAll(server, [
      { resourceType: 'Patient', id: 'wang', name: [{ family: '王小明' }] },
      { resourceType: 'Patient', id: 'wanh', name: [{ family: '玌' }] },
      { resourceType: 'Patient', id: 'zz', name: [{ family: 'Zz' }] },
      { resourceType: 'Patient', id: 'zbrace', name: [{ family: 'Z{ed' }] },
    ]);
    expect(await ids('family=王')).toEqual(['wang']);
    expect(await ids('family=zz')).toEqual(['zz']);
    expect(await ids('family=z')).toEqual(['zbrace', 'zz']);
    expect(await ids('family=z{')).toEqual(['zbrace']);
  });
});
