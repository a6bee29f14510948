import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * Opens an NDJSON file over HTTP(S) as a byte stream (Bulk Data $import inputs). No redirects
 * (the URL was checked against the host policy, a redirect would bypass it); the server must
 * answer within `headersTimeoutMs`, the body then streams for as long as it takes.
 */
export async function fetchNdjson(url: string, headersTimeoutMs: number): Promise<Readable> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no answer within ${headersTimeoutMs} ms`)), headersTimeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'error', signal: abort.signal, headers: { Accept: 'application/fhir+ndjson' } });
  } catch (error) {
    throw new Error(String((error as Error)?.cause ?? (error as Error)?.message ?? error));
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
}
