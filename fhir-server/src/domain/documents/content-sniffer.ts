/**
 * Media types recognised by their first bytes ("magic numbers"), so an upload is accepted for
 * what it is, not for what its Content-Type header claims.
 */

/** Bytes needed to recognise every type below (DICOM's `DICM` sits after a 128-byte preamble). */
export const SNIFF_BYTES = 132;

const SIGNATURES: readonly { type: string; test(head: Buffer): boolean }[] = [
  { type: 'application/pdf', test: (h) => startsWith(h, [0x25, 0x50, 0x44, 0x46, 0x2d]) },
  { type: 'image/png', test: (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', test: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { type: 'image/gif', test: (h) => h.subarray(0, 6).toString('latin1') === 'GIF87a' || h.subarray(0, 6).toString('latin1') === 'GIF89a' },
  { type: 'image/tiff', test: (h) => startsWith(h, [0x49, 0x49, 0x2a, 0x00]) || startsWith(h, [0x4d, 0x4d, 0x00, 0x2a]) },
  { type: 'application/dicom', test: (h) => h.length >= 132 && h.subarray(128, 132).toString('latin1') === 'DICM' },
];

/** The media type the bytes start like, or undefined when none of the known ones. */
export function sniffContentType(head: Buffer): string | undefined {
  return SIGNATURES.find((s) => s.test(head))?.type;
}

/** `image/jpg` and parameters aside, the canonical spelling of a claimed media type. */
export function normalizeContentType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0].trim().toLowerCase();
  if (!type) {
    return undefined;
  }
  return type === 'image/jpg' || type === 'image/pjpeg' ? 'image/jpeg' : type;
}

function startsWith(head: Buffer, bytes: readonly number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}
