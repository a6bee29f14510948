import { limitIndexedText, MAX_INDEXED_BYTES, normalizeString } from './indexed-text';
import { soundex } from './soundex';

describe('string normalisation (search.html#string: case- and accent-insensitive)', () => {
  test.each([
    ['Müller', 'muller'],
    ['ÉLODIE', 'elodie'],
    ['  Jean   Luc ', 'jean luc'],
    ['Ñandú', 'nandu'],
    ['O\u0027Brien', "o'brien"],
  ])('%s -> %s', (text, normalized) => {
    expect(normalizeString(text)).toBe(normalized);
  });

  test('indexed text is cut to at most MAX_INDEXED_BYTES of UTF-8, never inside a character', () => {
    const cut = limitIndexedText('é'.repeat(1000));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_INDEXED_BYTES);
    expect(cut).toBe('é'.repeat(MAX_INDEXED_BYTES / 2));
    expect(limitIndexedText('short')).toBe('short');
  });
});

describe('Soundex (phonetic search parameters)', () => {
  test.each([
    ['robert', 'R163'],
    ['rupert', 'R163'],
    ['ashcraft', 'A261'],
    ['tymczak', 'T522'],
    ['pfister', 'P236'],
    ['smith', 'S530'],
    ['smyth', 'S530'],
    ['lee', 'L000'],
    ['123', ''],
  ])('%s -> %s', (word, code) => {
    expect(soundex(word)).toBe(code);
  });
});
