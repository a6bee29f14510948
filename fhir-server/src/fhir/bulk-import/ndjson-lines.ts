/** One line of an NDJSON input: its 1-based number and its text, or `tooLong` when it exceeded the limit. */
export interface NdjsonLine {
  readonly number: number;
  readonly text: string;
  readonly tooLong: boolean;
}

/**
 * Splits a byte stream into lines (`\n`, an optional `\r` dropped) without holding more than
 * one line of at most `maxBytes`: a longer line is reported as `tooLong` with its text
 * dropped, so a file without newlines cannot exhaust memory.
 */
export async function* ndjsonLines(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<NdjsonLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let number = 0;
  const line = (): NdjsonLine => {
    number++;
    const text = tooLong ? '' : Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
    parts = [];
    size = 0;
    const result = { number, text, tooLong };
    tooLong = false;
    return result;
  };
  for await (const chunk of chunks) {
    let buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let newline = buffer.indexOf(0x0a);
    while (newline >= 0) {
      append(buffer.subarray(0, newline));
      yield line();
      buffer = buffer.subarray(newline + 1);
      newline = buffer.indexOf(0x0a);
    }
    append(buffer);
  }
  if (size > 0 || tooLong) {
    yield line();
  }

  function append(piece: Buffer): void {
    if (tooLong || piece.length === 0) {
      return;
    }
    size += piece.length;
    if (size > maxBytes) {
      tooLong = true;
      parts = [];
      return;
    }
    parts.push(piece);
  }
}
