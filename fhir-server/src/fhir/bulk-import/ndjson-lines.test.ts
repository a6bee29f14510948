import { ndjsonLines, type NdjsonLine } from './ndjson-lines';

async function lines(chunks: string[], maxBytes = 100): Promise<NdjsonLine[]> {
  const result: NdjsonLine[] = [];
  for await (const line of ndjsonLines(
    (async function* () {
      yield* chunks.map((c) => Buffer.from(c, 'utf8'));
    })(),
    maxBytes,
  )) {
    result.push(line);
  }
  return result;
}

test('lines split across chunks, CRLF endings and a last line without newline', async () => {
  expect(await lines(['{"a":', '1}\r\n{"b"', ':2}\n\n{"c":3}'])).toEqual([
    { number: 1, text: '{"a":1}', tooLong: false },
    { number: 2, text: '{"b":2}', tooLong: false },
    { number: 3, text: '', tooLong: false },
    { number: 4, text: '{"c":3}', tooLong: false },
  ]);
});

test('a multi-byte character split between chunks stays whole', async () => {
  const bytes = Buffer.from('"é"\n', 'utf8');
  const result: NdjsonLine[] = [];
  for await (const line of ndjsonLines([bytes.subarray(0, 2), bytes.subarray(2)], 100)) {
    result.push(line);
  }
  expect(result.map((l) => l.text)).toEqual(['"é"']);
});

test('a line over the limit is reported as too long, without its text, and the next line is read', async () => {
  expect(await lines(['x'.repeat(60), 'y'.repeat(60), '\nok\n'], 100)).toEqual([
    { number: 1, text: '', tooLong: true },
    { number: 2, text: 'ok', tooLong: false },
  ]);
});
