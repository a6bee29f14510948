/** The bytes of a FHIR Binary (`data`, base64) as a Blob of its content type. */
export function binaryBlob(data: string, contentType: string): Blob {
  const text = atob(data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    bytes[i] = text.charCodeAt(i);
  }
  return new Blob([bytes], { type: contentType });
}

/**
 * Hands a URL to the browser as a link click: a download when `fileName` is given (or when the
 * server answers `Content-Disposition: attachment`), else a new tab.
 */
export function followLink(url: string, fileName?: string): void {
  const link = document.createElement('a');
  link.href = url;
  if (fileName) {
    link.download = fileName;
  } else {
    link.target = '_blank';
    link.rel = 'noopener';
  }
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** Saves a Blob under `fileName`; the object URL is released once the browser has taken it. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  followLink(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
