import type { CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { matchSet, putAll } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

/** `_content` and `_text` (http://hl7.org/fhir/R4/search.html#content), on both engines. */
let server: TestServer;
const ids = (query: string) => matchSet(server, query);
const narrative = (xhtml: string) => ({ status: 'generated' as const, div: `<div xmlns="http://www.w3.org/1999/xhtml">${xhtml}</div>` });

const fixtures = [
  {
    resourceType: 'Patient',
    id: 'mueller',
    name: [{ family: 'Müller', given: ['Jörg'] }],
    text: narrative('<p>Jörg Müller, born 1970</p>'),
  },
  { resourceType: 'Patient', id: 'okafor', name: [{ family: 'Okafor', given: ['Amara'] }] },
  {
    resourceType: 'Observation',
    id: 'bp',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel' }] },
    subject: { reference: 'Patient/mueller' },
    note: [{ text: 'Measured after exercise; patient felt dizzy.' }],
  },
  {
    resourceType: 'Observation',
    id: 'weight',
    status: 'final',
    code: { text: 'Body weight' },
    subject: { reference: 'Patient/okafor' },
  },
  {
    resourceType: 'Condition',
    id: 'asthma',
    subject: { reference: 'Patient/okafor' },
    code: { text: 'Asthma' },
    text: narrative('<p><b>Asthma</b> &amp; hay fever since childhood</p>'),
  },
  {
    resourceType: 'Composition',
    id: 'note',
    status: 'final',
    type: { text: 'Consultation note' },
    subject: { reference: 'Patient/mueller' },
    date: '2026-11-20',
    author: [{ reference: 'Patient/mueller' }],
    title: 'Follow-up of headache',
    text: narrative('<p>Persistent h&#233;adache, nausea in the mornings.</p>'),
  },
] as (Resource & { id: string })[];

beforeAll(async () => {
  server = await startTestServer();
  await putAll(server, fixtures);
});
afterAll(() => server.close());

describe('_content: every text of the resource', () => {
  test('finds a word of any element, case and accents folded; all words of a value must occur', async () => {
    expect(await ids('Observation?_content=dizzy')).toEqual(['bp']);
    expect(await ids('Observation?_content=BLOOD')).toEqual(['bp']);
    expect(await ids('Observation?_content=blood exercise')).toEqual(['bp']);
    expect(await ids('Observation?_content=blood weight')).toEqual([]);
    expect(await ids('Patient?_content=muller')).toEqual(['mueller']);
    expect(await ids('Patient?_content=Jörg')).toEqual(['mueller']);
  });

  test('whole words: a part of a word does not match', async () => {
    expect(await ids('Observation?_content=pressur')).toEqual([]);
    expect(await ids('Observation?_content=pressure')).toEqual(['bp']);
  });

  test('values separated by commas are alternatives; repeated parameters must all hold', async () => {
    expect(await ids('Observation?_content=dizzy,weight')).toEqual(['bp', 'weight']);
    expect(await ids('Observation?_content=dizzy&_content=weight')).toEqual([]);
    expect(await ids('Observation?_content=blood&status=final')).toEqual(['bp']);
  });

  test('includes the narrative, not ids, references or code systems', async () => {
    expect(await ids('Composition?_content=nausea')).toEqual(['note']);
    expect(await ids('Observation?_content=loinc')).toEqual([]);
    expect(await ids('Observation?_content=mueller')).toEqual([]);
    expect(await ids('Observation?_content=85354')).toEqual(['bp']);
  });

  test('at system level over several types, and inside _has', async () => {
    expect(await ids('?_type=Patient,Condition,Composition&_content=asthma,headache')).toEqual(['asthma', 'note']);
    expect(await ids('Patient?_has:Observation:subject:_content=dizzy')).toEqual(['mueller']);
  });

  test('an update replaces the words; a deleted resource is not found', async () => {
    const res = await server.request.get('/fhir/Observation/weight').expect(200);
    await server.request
      .put('/fhir/Observation/weight')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify({ ...JSON.parse(res.text), code: { text: 'Body height' } }))
      .expect(200);
    expect(await ids('Observation?_content=weight')).toEqual([]);
    expect(await ids('Observation?_content=height')).toEqual(['weight']);
    await server.request.delete('/fhir/Observation/weight').expect(204);
    expect(await ids('Observation?_content=height')).toEqual([]);
  });
});

describe('_text: the narrative only', () => {
  test('finds words of the narrative (tags dropped, entities read), not of other elements', async () => {
    expect(await ids('Composition?_text=headache nausea')).toEqual(['note']);
    expect(await ids('Condition?_text=fever')).toEqual(['asthma']);
    expect(await ids('Condition?_text=amp')).toEqual([]);
    expect(await ids('Composition?_text=consultation')).toEqual([]);
    expect(await ids('Composition?_content=consultation')).toEqual(['note']);
    expect(await ids('Observation?_text=blood')).toEqual([]);
  });
});

describe('bad input', () => {
  test('a value without a word is a 400; modifiers are a 400 not-supported', async () => {
    const noWord = await server.request.get('/fhir/Observation?_content=%27%20%26%20!%7C:*');
    expect(expectOutcome(noWord, 400, 'invalid').issue?.[0].diagnostics).toContain('has no word');
    expectOutcome(await server.request.get('/fhir/Observation?_content:exact=blood'), 400, 'not-supported');
    expectOutcome(await server.request.get('/fhir/Observation?_text:contains=blood'), 400, 'not-supported');
    expectOutcome(await server.request.get('/fhir/Observation?_content:missing=true'), 400, 'not-supported');
    expectOutcome(await server.request.get('/fhir/Observation?_sort=_content'), 400, 'invalid');
  });

  test('tsquery syntax in a value is read as words, never as operators', async () => {
    expect(await ids(`Observation?_content=${encodeURIComponent("blood' | 'weight")}`)).toEqual([]);
    expect(await ids(`Observation?_content=${encodeURIComponent('blood:* & !dizzy')}`)).toEqual(['bp']);
    expect(await ids(`Observation?_content=${encodeURIComponent("dizzy'); DROP TABLE sp_text; --")}`)).toEqual([]);
    expect(await ids('Observation?_content=dizzy')).toEqual(['bp']);
  });
});

describe('declared truthfully', () => {
  test('the CapabilityStatement lists _content for resources and _text for domain resources, neither for AuditEvent', async () => {
    const statement = JSON.parse((await server.request.get('/fhir/metadata').expect(200)).text) as CapabilityStatement;
    const paramsOf = (type: string) =>
      (statement.rest?.[0].resource?.find((r) => r.type === type)?.searchParam ?? [])
        .map((p) => p.name)
        .filter((n) => n === '_content' || n === '_text');
    expect(paramsOf('Composition')).toEqual(['_content', '_text']);
    expect(paramsOf('Bundle')).toEqual(['_content']);
    expect(paramsOf('AuditEvent')).toEqual([]);
    expectOutcome(await server.request.get('/fhir/AuditEvent?_content=read').set('Prefer', 'handling=strict'), 400, 'invalid');
  });
});
