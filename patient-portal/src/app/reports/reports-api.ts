import { HttpClient, HttpEventType, HttpHeaders, HttpRequest, type HttpEvent } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { DocumentReference, Parameters } from '@medplum/fhirtypes';
import { filter, firstValueFrom, map, type Observable } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';

/** What the patient says about a file they upload (the `$upload` form fields). */
export interface ReportDetails {
  readonly patient: string;
  readonly title?: string;
  /** Free text shown as the category: Laboratory, Imaging, Letter... */
  readonly category?: string;
  /** When the report was made (YYYY-MM-DD). */
  readonly date?: string;
}

/** An upload under way (`percent` of the bytes sent), then the DocumentReference written. */
export type UploadProgress =
  { readonly kind: 'progress'; readonly percent: number } | { readonly kind: 'done'; readonly document: DocumentReference };

/**
 * The patient's reports: DocumentReferences in their compartment, uploaded as one multipart
 * request (`DocumentReference/$upload`, streamed by the server) and downloaded through a
 * signed URL (`$download-url`), so the browser downloads without the access token.
 */
@Injectable({ providedIn: 'root' })
export class ReportsApi {
  private readonly fhir = inject(FhirClient);
  private readonly http = inject(HttpClient);
  private readonly baseUrl = inject(FHIR_ENDPOINT).baseUrl;

  async list(patient: string): Promise<(DocumentReference & { id: string })[]> {
    const bundle = await firstValueFrom(
      this.fhir.search('DocumentReference', { subject: patient, status: 'current', _sort: '-date', _count: 200 }),
    );
    return matches(bundle) as (DocumentReference & { id: string })[];
  }

  /** `POST DocumentReference/$upload` (multipart: the fields, then the file), reporting progress. */
  upload(file: File, details: ReportDetails): Observable<UploadProgress> {
    const form = new FormData();
    for (const [name, value] of Object.entries(details)) {
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
    return this.http.request<DocumentReference>(request).pipe(
      map((event: HttpEvent<DocumentReference>): UploadProgress | undefined => {
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

  /** `GET DocumentReference/<id>/$download-url`: a signed URL that downloads without a token until it expires. */
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
}
