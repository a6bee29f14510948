import { InvalidSearchError } from './storage-errors';

/** Opaque keyset cursors: the sort key of the last row of a page, base64url-encoded JSON. */
export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidSearchError('The paging cursor is not valid; start the search again');
}
