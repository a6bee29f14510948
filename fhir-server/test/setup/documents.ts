import { createHash, randomBytes } from 'node:crypto';
import type { DocumentReference } from '@medplum/fhirtypes';
import type { Response } from 'superagent';
import type { Actor } from './test-server';

/** Bytes that start like each accepted type, with random content after the signature. */
export const samplePdf = (size = 2048): Buffer => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(Math.max(0, size - 9))]);
export const samplePng = (): Buffer => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(500)]);
export const sampleDicom = (): Buffer => Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), randomBytes(300)]);

/** Attachment.hash as FHIR defines it: SHA-1, base64. */
export const sha1Base64 = (bytes: Buffer): string => createHash('sha1').update(bytes).digest('base64');

/** Collects a supertest binary response body into a Buffer (superagent's node parser). */
export function binaryParser(response: Response, callback: (error: Error | null, body: Buffer) => void): void {
  const res = response as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
  res.on('error', (error: Error) => callback(error, Buffer.alloc(0)));
}

/**
 * A multipart/form-data body built by hand, for what form libraries would clean up on the
 * client side (file names with paths).
 */
export function rawMultipart(
  fields: Record<string, string>,
  file: { name: string; type: string; bytes: Buffer },
): { body: Buffer; contentType: string } {
  const boundary = `----medbuddy${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** `DocumentReference/$upload` as a browser form sends it: the fields, then the file. */
export function uploadDocument(
  actor: Actor,
  bytes: Buffer,
  fields: Record<string, string>,
  fileName = 'report.pdf',
  contentType = 'application/pdf',
) {
  let req = actor.agent.post('/fhir/DocumentReference/$upload');
  for (const [name, value] of Object.entries(fields)) {
    req = req.field(name, value);
  }
  return req.attach('file', bytes, { filename: fileName, contentType });
}

/** GET of a download (Binary or signed URL) with the body collected as bytes. */
export const downloadBytes = (agent: Actor['agent'], url: string) => agent.get(url).buffer(true).parse(binaryParser);

/** The id of the Binary a DocumentReference's attachment points at. */
export const binaryIdOf = (document: DocumentReference): string => (document.content?.[0].attachment.url as string).split('/')[1];
