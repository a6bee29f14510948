import type { Context } from 'koa';
import type { ByteRange } from '../domain/documents/blob-store';
import type { BinaryContent } from '../fhir/documents/binary-content';
import { outcome, OutcomeError } from '../fhir/outcomes';
import type { DocumentStorage } from '../domain/documents/document-storage';

/**
 * Streams a Binary's bytes as its own media type, honouring one `Range: bytes=` range
 * (RFC 9110 section 14): 206 with Content-Range, 416 when it lies outside the content.
 * Several ranges at once are answered with the whole content (which the RFC allows).
 */
export async function sendBinary(ctx: Context, documents: DocumentStorage, content: BinaryContent): Promise<void> {
  const { binary, size } = content;
  const range = parseRange(ctx.get('Range'), size);
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Content-Disposition', 'attachment');
  ctx.set('Cache-Control', 'private, no-store');
  if (binary.meta?.versionId) {
    ctx.set('ETag', `W/"${binary.meta.versionId}"`);
  }
  if (range === 'unsatisfiable') {
    ctx.set('Content-Range', `bytes */${size}`);
    throw new OutcomeError(outcome('error', 'invalid', `The range lies outside the ${size} bytes of Binary/${binary.id}`), 416);
  }
  const stream = await documents.read(binary.id, range);
  ctx.type = binary.contentType ?? 'application/octet-stream';
  if (range) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    ctx.length = range.end - range.start + 1;
  } else {
    ctx.status = 200;
    ctx.length = size;
  }
  ctx.body = ctx.method === 'HEAD' ? null : stream;
  if (ctx.method === 'HEAD') {
    stream.destroy();
  }
}

/** One satisfiable range, undefined for the whole content, or 'unsatisfiable'. */
export function parseRange(header: string, size: number): ByteRange | undefined | 'unsatisfiable' {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) {
    return undefined;
  }
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) {
    return 'unsatisfiable';
  }
  return { start, end };
}
