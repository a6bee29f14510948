/** Soundex digit of each letter a..z ('0' for vowels, h, w and y). */
const DIGITS = '01230120022455012623010202';

/**
 * American Soundex of one word (`Robert` and `Rupert` are both R163): the phonetic matching
 * of the `phonetic` search parameters (SearchParameter.xpathUsage = phonetic). Expects a
 * normalised (lower-case, unaccented) word; empty when it has no letter a-z.
 */
export function soundex(word: string): string {
  const letters = word.replace(/[^a-z]/g, '');
  if (!letters) {
    return '';
  }
  let code = letters[0].toUpperCase();
  let previous = digitOf(letters[0]);
  for (let i = 1; i < letters.length && code.length < 4; i++) {
    const letter = letters[i];
    const digit = digitOf(letter);
    if (digit !== '0' && digit !== previous) {
      code += digit;
    }
    // h and w do not separate two letters with the same code; vowels do.
    if (letter !== 'h' && letter !== 'w') {
      previous = digit;
    }
  }
  return code.padEnd(4, '0');
}

function digitOf(letter: string): string {
  return DIGITS[letter.charCodeAt(0) - 97];
}
