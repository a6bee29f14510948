import type { Resource } from '@medplum/fhirtypes';
import type { TextRow } from './index-rows';
import { addFullTextRows, allWordsQuery, wordsOf } from './full-text';

const BOTH = new Set(['_content', '_text']);

function documents(resource: Resource, params: ReadonlySet<string> = BOTH): Record<string, string> {
  const rows: TextRow[] = [];
  addFullTextRows(rows, resource, params);
  return Object.fromEntries(rows.map((row) => [row.param, row.doc]));
}

test('words are runs of letters and digits, case and accents folded; very long runs are left out', () => {
  expect(wordsOf('Jörg Müller-Lüdenscheid, 42 ans! Ça va?')).toEqual(['jorg', 'muller', 'ludenscheid', '42', 'ans', 'ca', 'va']);
  expect(wordsOf(`ok ${'a'.repeat(65)} ${'b'.repeat(64)}`)).toEqual(['ok', 'b'.repeat(64)]);
  expect(wordsOf("' & ! | :* <->")).toEqual([]);
  expect(allWordsQuery(['blood', 'pressure'])).toBe("'blood' & 'pressure'");
});

test('_content holds each word once, from every element but ids, references, code systems, URLs, binary data and dates', () => {
  const docs = documents({
    resourceType: 'Observation',
    id: 'obs-secret-id',
    meta: { source: 'http://lab.example/source-word' },
    status: 'final',
    effectiveDateTime: '2026-11-20T10:15:00+01:00',
    issued: '2026-11-20T10:20:00.123Z',
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure' }], text: 'Blood pressure' },
    subject: { reference: 'Patient/hidden-ref', display: 'Anna' },
    device: { display: '1010' },
    valueAttachment: { contentType: 'text/plain', data: 'c2VjcmV0', url: 'http://files.example/x' },
  } as Resource);
  expect(docs._content).toBe("'final' '85354' '9' 'blood' 'pressure' 'anna' '1010' 'text' 'plain'");
  expect(docs._text).toBeUndefined();
});

test('_text is the narrative: tags dropped, entities read; _content holds it too', () => {
  const docs = documents({
    resourceType: 'Condition',
    subject: { reference: 'Patient/p' },
    text: {
      status: 'generated',
      div: '<div xmlns="http://www.w3.org/1999/xhtml"><b>Asthma</b> &amp; hay&nbsp;fever, h&#233;adache&#x21;</div>',
    },
  } as Resource);
  expect(docs._text).toBe("'asthma' 'hay' 'fever' 'headache'");
  expect(docs._content).toBe("'generated' 'asthma' 'hay' 'fever' 'headache'");
});

test('only the parameters asked for; nothing without words', () => {
  expect(documents({ resourceType: 'Patient', name: [{ family: 'Okafor' }] }, new Set(['_content']))).toEqual({ _content: "'okafor'" });
  expect(documents({ resourceType: 'Patient', id: 'x' }, new Set())).toEqual({});
  expect(documents({ resourceType: 'Patient', id: 'x' })).toEqual({});
});
