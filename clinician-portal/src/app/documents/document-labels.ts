import type { DocumentReference } from '@medplum/fhirtypes';

/** The document's title: its attachment's title (the file name by default), or its description. */
export function documentTitle(document: DocumentReference): string {
  return document.content?.[0]?.attachment?.title ?? document.description ?? 'Document';
}

/** The size of its content, for people: `12 KB`, `3.4 MB`. */
export function documentSize(document: DocumentReference): string {
  const size = document.content?.[0]?.attachment?.size;
  if (size === undefined) {
    return '';
  }
  return size < 1024 * 1024 ? `${Math.max(1, Math.round(size / 1024))} KB` : `${(size / 1024 / 1024).toFixed(1)} MB`;
}

/** The name a download is saved under: the title, with the extension of its content type. */
export function documentFileName(document: DocumentReference): string {
  const attachment = document.content?.[0]?.attachment;
  const name = attachment?.title ?? `document-${document.id ?? ''}`;
  const extension = EXTENSIONS[attachment?.contentType ?? ''];
  return extension && !name.toLowerCase().endsWith(extension) ? `${name}${extension}` : name;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
};
