import { createSearchParameterCatalog } from '../../definitions';
import { thrownOutcome } from '../../../test/setup/matchers';
import type { ParameterFilter } from '../../storage/search-query';
import { parseSearchRequest } from './parse';
import { splitEscaped, unescape } from './search-values';

const catalog = createSearchParameterCatalog();
const BASE = 'http://medbuddy.test/fhir';
const parse = (type: string | string[], query: string, strict = false) =>
  parseSearchRequest(type, new URLSearchParams(query), { catalog, baseUrl: BASE, strict });

const failure = thrownOutcome;

describe('search parameter values (search.html#escaping, #combining)', () => {
  test('commas separate alternatives unless escaped; escapes resolve last', () => {
    expect(splitEscaped('a,b\\,c,d', ',')).toEqual(['a', 'b\\,c', 'd']);
    expect(unescape('b\\,c\\|d\\$e\\\\f')).toBe('b,c|d$e\\f');
  });

  test('repeated parameters are ANDed, comma-separated values ORed', () => {
    const { query } = parse('Patient', 'given=a,b&given=c');
    expect(query.filters).toEqual([
      { code: 'given', type: 'string', values: [{ value: 'a' }, { value: 'b' }] },
      { code: 'given', type: 'string', values: [{ value: 'c' }] },
    ]);
  });

  test('token forms: code, system|code, |code, system|, and an escaped bar', () => {
    const { query } = parse('Patient', 'identifier=a,urn:x|1,|2,urn:y|,c\\|d');
    expect(query.filters[0]).toMatchObject({
      values: [
        { value: 'a' },
        { value: 'urn:x|1', parts: ['urn:x', '1'] },
        { value: '|2', parts: ['', '2'] },
        { value: 'urn:y|', parts: ['urn:y', ''] },
        { value: 'c|d' },
      ],
    });
  });

  test(':of-type takes system|code|value on identifier parameters (search.html#modifiers)', () => {
    const { query } = parse('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|12\\|3,urn:t|SS|9');
    expect(query.filters).toEqual([
      {
        code: 'identifier:of-type',
        type: 'token',
        values: [
          {
            value: 'http://terminology.hl7.org/CodeSystem/v2-0203|MR|12|3',
            parts: ['http://terminology.hl7.org/CodeSystem/v2-0203', 'MR|12|3'],
          },
          { value: 'urn:t|SS|9', parts: ['urn:t', 'SS|9'] },
        ],
      },
    ]);
    for (const bad of ['12345', 'MR|12345', '|MR|12345', 'urn:t||1', 'urn:t|MR|', 'urn:t|MR|1|2']) {
      expect(failure(() => parse('Patient', `identifier:of-type=${encodeURIComponent(bad)}`))).toMatchObject({
        status: 400,
        code: 'invalid',
      });
    }
    expect(failure(() => parse('Patient', 'gender:of-type=urn:t|MR|1'))).toMatchObject({ status: 400, code: 'invalid' });
  });

  test('prefixes on ordered types only (search.html#prefix)', () => {
    expect(parse('Patient', 'birthdate=ge2020-01-01').query.filters[0]).toMatchObject({ values: [{ prefix: 'ge', value: '2020-01-01' }] });
    expect(parse('Patient', 'family=ge2020').query.filters[0]).toMatchObject({ values: [{ value: 'ge2020' }] });
    expect(parse('Observation', 'value-quantity=lt5.4|http://unitsofmeasure.org|mg').query.filters[0]).toMatchObject({
      values: [{ prefix: 'lt', value: '5.4|http://unitsofmeasure.org|mg', parts: ['5.4', 'http://unitsofmeasure.org', 'mg'] }],
    });
  });

  test('references to this server by absolute URL are searched as local ones', () => {
    expect(parse('Appointment', `actor=${BASE}/Patient/p1`).query.filters[0]).toMatchObject({ values: [{ value: 'Patient/p1' }] });
  });

  test('composite values are split at $ into typed components (search.html#composite)', () => {
    expect(parse('Observation', 'code-value-quantity=http://loinc.org|8480-6$gt100').query.filters[0]).toMatchObject({
      type: 'composite',
      components: ['token', 'quantity'],
      values: [
        {
          components: [
            { value: 'http://loinc.org|8480-6', parts: ['http://loinc.org', '8480-6'] },
            { prefix: 'gt', value: '100' },
          ],
        },
      ],
    });
  });
});

describe('chaining and reverse chaining (search.html#chaining, #has)', () => {
  test('a chain names the reference, its possible target types and the chained filter', () => {
    expect(parse('Appointment', 'patient.family=smith').query.filters[0]).toEqual({
      kind: 'chain',
      code: 'patient',
      targetTypes: ['Patient'],
      filter: { code: 'family', type: 'string', values: [{ value: 'smith' }] },
    });
    expect(parse('Observation', 'subject:Patient.name=x').query.filters[0]).toMatchObject({ kind: 'chain', targetTypes: ['Patient'] });
  });

  test('without a type modifier, only target types that have the chained parameter are searched', () => {
    const filter = parse('Observation', 'subject.birthdate=2000').query.filters[0];
    expect(filter).toMatchObject({ kind: 'chain', targetTypes: ['Patient'] });
  });

  test('multi-level chains and _has nest', () => {
    expect(parse('Appointment', 'patient.general-practitioner:Practitioner.name=house').query.filters[0]).toMatchObject({
      kind: 'chain',
      filter: { kind: 'chain', code: 'general-practitioner', targetTypes: ['Practitioner'], filter: { code: 'name' } },
    });
    expect(parse('Patient', '_has:Observation:patient:_has:AuditEvent:entity:agent=u1').query.filters[0]).toMatchObject({
      kind: 'has',
      sourceType: 'Observation',
      referenceParam: 'patient',
      filter: { kind: 'has', sourceType: 'AuditEvent', referenceParam: 'entity', filter: { code: 'agent' } },
    });
  });

  test('chains deeper than the limit are refused as too costly', () => {
    expect(failure(() => parse('Patient', 'link:Patient.link:Patient.link:Patient.link:Patient.name=x'))).toMatchObject({
      status: 400,
      code: 'too-costly',
    });
  });

  test('_has with a non-reference or unknown parameter is a 400', () => {
    expect(failure(() => parse('Patient', '_has:Observation:code:status=final'))).toMatchObject({ status: 400 });
    expect(failure(() => parse('Patient', '_has:Observation:patient:shoe=1'))).toMatchObject({ status: 400 });
    expect(failure(() => parse('Patient', '_has:Spaceship:patient:status=x'))).toMatchObject({ status: 400 });
  });
});

describe('unknown parameters and bad input (search.html#errors)', () => {
  test('unknown parameters are ignored and reported, or refused in strict mode', () => {
    expect(parse('Patient', 'shoe-size=42&family=x').ignored).toEqual(['shoe-size']);
    expect(failure(() => parse('Patient', 'shoe-size=42', true))).toMatchObject({ status: 400, code: 'invalid' });
  });

  test('unknown and unsupported modifiers are refused even when lenient', () => {
    expect(failure(() => parse('Patient', 'family:sounds-like=x'))).toMatchObject({ status: 400, code: 'invalid' });
    expect(failure(() => parse('Patient', 'link:in=x'))).toMatchObject({ status: 400, code: 'not-supported' });
    expect(failure(() => parse('Patient', 'birthdate:exact=2020'))).toMatchObject({ status: 400, code: 'not-supported' });
    expect(failure(() => parse('Patient', 'general-practitioner:Observation=1'))).toMatchObject({ status: 400 });
  });

  test.each([
    ['birthdate=2021-02-30', 'impossible date'],
    ['birthdate=gx2021', 'malformed prefix'],
    ['birthdate=ge', 'prefix without a value'],
    ['active:missing=maybe', ':missing needs true or false'],
    ['_count=100000', '_count above the maximum'],
    ['_count=-1', 'negative _count'],
    ['_total=all', 'unknown _total'],
    ['_sort=shoe', 'unknown sort parameter'],
    ['_sort=patient.family.given', 'sort chain too deep'],
  ])('%s (%s) is a 400', (query) => {
    expect(failure(() => parse('Patient', query)).status).toBe(400);
  });

  test('quantity and number values must be numbers', () => {
    expect(failure(() => parse('Observation', 'value-quantity=abc|http://unitsofmeasure.org|mg')).status).toBe(400);
    expect(failure(() => parse('RiskAssessment', 'probability=gt0.5x')).status).toBe(400);
  });

  test('too many alternatives are refused as too costly', () => {
    const many = Array.from({ length: 101 }, (_, i) => `v${i}`).join(',');
    expect(failure(() => parse('Patient', `family=${many}`))).toMatchObject({ status: 400, code: 'too-costly' });
  });

  test('system-level searches accept only parameters every listed type has', () => {
    expect(parse(['Patient', 'Practitioner'], 'name=x').query.filters).toHaveLength(1);
    expect(parse(['Patient', 'Observation'], 'name=x').ignored).toEqual(['name']);
  });
});

describe('result parameters (search.html#return)', () => {
  test('_sort knows which date parameters hold one instant per resource', () => {
    expect(parse('AuditEvent', '_sort=-date').query.sort[0].singleInstant).toBe(true); // AuditEvent.recorded
    expect(parse('Slot', '_sort=start').query.sort[0].singleInstant).toBe(true); // Slot.start
    expect(parse('Patient', '_sort=birthdate').query.sort[0].singleInstant).toBeUndefined(); // a date: a day, not an instant
    expect(parse('Observation', '_sort=date').query.sort[0].singleInstant).toBeUndefined(); // dateTime | Period | ...
    expect(parse('Encounter', '_sort=date').query.sort[0].singleInstant).toBeUndefined(); // a Period
  });

  test('_sort knows which date parameters have at most one index row per resource', () => {
    expect(parse('PractitionerRole', '_sort=date').query.sort[0].singleValue).toBe(true); // PractitionerRole.period: one Period
    expect(parse('Encounter', '_sort=date').query.sort[0].singleValue).toBe(true); // Encounter.period
    expect(parse('Patient', '_sort=birthdate').query.sort[0].singleValue).toBe(true); // Patient.birthDate
    expect(parse('Slot', '_sort=start').query.sort[0].singleValue).toBe(true);
    expect(parse('Observation', '_sort=date').query.sort[0].singleValue).toBeUndefined(); // a Timing makes several rows
    expect(parse('Patient', '_sort=death-date').query.sort[0].singleValue).toBeUndefined(); // deceased[x]: boolean or dateTime
  });

  test('_sort keys in order, descending with -, and one reference hop', () => {
    expect(parse('Appointment', '_sort=-date,_id,patient.family').query.sort).toEqual([
      // Appointment.start: one instant per appointment, so a date filter can bound the sort key.
      { code: 'date', type: 'date', descending: true, singleInstant: true, singleValue: true },
      { code: '_id', type: 'token', descending: false },
      { code: 'family', type: 'string', descending: false, chain: { code: 'patient', targetTypes: ['Patient'] } },
    ]);
  });

  test('_summary=count asks for the accurate total and no entries', () => {
    expect(parse('Patient', '_summary=count').query).toMatchObject({ count: 0, total: 'accurate' });
  });
});

describe('codes of required value sets (storage/search-sql/generic-plan.ts)', () => {
  test('a token parameter on plain code elements carries every code its elements may hold', () => {
    const [status] = parse('Slot', 'status=free').query.filters as ParameterFilter[];
    expect([...(status.boundCodes ?? [])].sort()).toEqual(['busy', 'busy-tentative', 'busy-unavailable', 'entered-in-error', 'free']);
  });

  test('a token parameter on codings or identifiers carries none: their codes are open', () => {
    const [code, identifier] = parse('Observation', 'code=8867-4&identifier=x').query.filters as ParameterFilter[];
    expect(code.boundCodes).toBeUndefined();
    expect(identifier.boundCodes).toBeUndefined();
  });
});
