import { HttpClient, HttpEventType, HttpHeaders, HttpRequest, type HttpEvent } from '@angular/common/http';
import { inject, Injectable, type WritableSignal } from '@angular/core';
import type { DocumentReference, Parameters } from '@medplum/fhirtypes';
import { filter, firstValueFrom, lastValueFrom, map, tap, type Observable } from 'rxjs';
import { FhirClient } from '../../core/fhir/fhir-client';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { documentFileName } from './document-labels';

/** MedBuddy's document categories (terminology/CodeSystem-document-category.json). */
export const DOCUMENT_CATEGORY_SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/document-category';
/** Search token of a practitioner's credential documents (licence, diplomas). */
export const CREDENTIAL_CATEGORY = `${DOCUMENT_CATEGORY_SYSTEM}|practitioner-credential`;

/**
 * The `DocumentReference/$upload` form fields: `patient` (a patient's document, optionally with
 * its `encounter`) or `practitioner` (a doctor's own credential), and what describes the file.
 */
export interface UploadFields {
  readonly patient?: string;
  readonly practitioner?: string;
  readonly encounter?: string;
  readonly title?: string;
  /** Free text shown as the category (Laboratory, Imaging, Referral letter, Licence...). */
  readonly category?: string;
  readonly description?: string;
  /** When the document was written (YYYY-MM-DD); default now. */
  readonly date?: string;
  /** `DocumentReference/<id>` the upload replaces: the server marks that one superseded. */
  readonly replaces?: string;
}

/** An upload under way (`percent` of the bytes sent), then the DocumentReference written. */
export type UploadProgress =
  { readonly kind: 'progress'; readonly percent: number } | { readonly kind: 'done'; readonly document: StoredDocument };

export type StoredDocument = DocumentReference & { id: string };

/**
 * Documents on the server, for both portals: uploaded as one multipart request (`DocumentReference/$upload`,
 * streamed and checked by the server), opened through a signed URL (`$download-url`) so the
 * browser fetches the bytes without the access token, and removed with their Binary.
 */
@Injectable({ providedIn: 'root' })
export class DocumentApi {
  private readonly fhir = inject(FhirClient);
  private readonly http = inject(HttpClient);
  private readonly baseUrl = inject(FHIR_ENDPOINT).baseUrl;

  /** `POST DocumentReference/$upload` (multipart: the fields, then the file), reporting progress. */
  upload(file: File, fields: UploadFields): Observable<UploadProgress> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      if (value) {
        form.append(name, value);
      }
    }
    // The server reads the fields before the file: the file goes last.
    form.append('file', file, file.name);
    const request = new HttpRequest('POST', `${this.baseUrl}/DocumentReference/$upload`, form, {
      reportProgress: true,
      headers: new HttpHeaders({ Accept: 'application/fhir+json' }),
    });
    return this.http.request<StoredDocument>(request).pipe(
      map((event: HttpEvent<StoredDocument>): UploadProgress | undefined => {
        if (event.type === HttpEventType.UploadProgress) {
          const total = event.total ?? file.size;
          return { kind: 'progress', percent: total > 0 ? Math.min(100, Math.round((event.loaded / total) * 100)) : 0 };
        }
        if (event.type === HttpEventType.Response && event.body) {
          return { kind: 'done', document: event.body };
        }
        return undefined;
      }),
      filter((progress): progress is UploadProgress => progress !== undefined),
    );
  }

  /**
   * Runs an upload to its end, showing its progress in `percent` (0 to 100, then undefined
   * again, also when it fails); the DocumentReference written.
   */
  async uploadShowingProgress(
    file: File,
    fields: UploadFields,
    percent: WritableSignal<number | undefined>,
  ): Promise<StoredDocument | undefined> {
    percent.set(0);
    try {
      const last = await lastValueFrom(
        this.upload(file, fields).pipe(tap((progress) => percent.set(progress.kind === 'progress' ? progress.percent : 100))),
      );
      return last.kind === 'done' ? last.document : undefined;
    } finally {
      percent.set(undefined);
    }
  }

  /** Lets the browser download the document from a signed URL, named after it (`<stem>-<id>` without a title). */
  async download(document: StoredDocument, stem?: string): Promise<void> {
    followDownload(await this.downloadUrl(document.id), documentFileName(document, stem));
  }

  /** `GET DocumentReference/<id>/$download-url`: a URL that downloads without a token until it expires. */
  async downloadUrl(documentId: string): Promise<string> {
    const parameters = await firstValueFrom(
      this.fhir.operation<Parameters>(`DocumentReference/${encodeURIComponent(documentId)}/$download-url`, { method: 'GET' }),
    );
    const url = parameters.parameter?.find((parameter) => parameter.name === 'url');
    const value = url?.valueUrl ?? url?.valueUri;
    if (!value) {
      throw new Error('The server did not give a download link.');
    }
    return value;
  }

  /** Deletes the DocumentReference, then the Binary its content points at (the server keeps the bytes retained). */
  async remove(document: StoredDocument): Promise<void> {
    await firstValueFrom(this.fhir.delete('DocumentReference', document.id));
    const binary = /^Binary\/([A-Za-z0-9\-.]{1,64})$/.exec(document.content?.[0]?.attachment?.url ?? '')?.[1];
    if (binary) {
      await firstValueFrom(this.fhir.delete('Binary', binary));
    }
  }
}

/**
 * Hands a signed URL to the browser as a link click: a download saved under the document's
 * title (the server serves the bytes from the same origin as the portal).
 */
export function followDownload(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
}
