import type { DocumentReference } from '@medplum/fhirtypes';

/** The document's title: its attachment's title (the file name by default), its description, or `fallback`. */
export function documentTitle(document: DocumentReference, fallback = 'Document'): string {
  return document.content?.[0]?.attachment?.title ?? document.description ?? fallback;
}

/** The document's category as written: its text, or the display of its first coding. */
export function documentCategory(document: DocumentReference): string {
  return document.category?.[0]?.text ?? document.category?.[0]?.coding?.[0]?.display ?? '';
}

/** The size of its content, for people: `12 KB`, `3.4 MB`. */
export function documentSize(document: DocumentReference): string {
  const size = document.content?.[0]?.attachment?.size;
  if (size === undefined) {
    return '';
  }
  return size < 1024 * 1024 ? `${Math.max(1, Math.round(size / 1024))} KB` : `${(size / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The name a download is saved under: the title, with the extension of its content type; without
 * a title, `<stem>-<id>`.
 */
export function documentFileName(document: DocumentReference, stem = 'document'): string {
  const attachment = document.content?.[0]?.attachment;
  const name = attachment?.title ?? `${stem}-${document.id ?? ''}`;
  const extension = EXTENSIONS[attachment?.contentType ?? ''];
  return extension && !name.toLowerCase().endsWith(extension) ? `${name}${extension}` : name;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'application/dicom': '.dcm',
  'image/gif': '.gif',
  'image/tiff': '.tif',
};
