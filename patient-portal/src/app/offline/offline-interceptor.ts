import { HttpErrorResponse, HttpResponse, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, from, of, switchMap, tap, throwError } from 'rxjs';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { OfflineStore } from './offline-store';

/** The reads kept for offline use: appointment and prescription searches, and the patient's own record. */
const KEPT = /^(Appointment|MedicationRequest)$|^Patient\/[^/]+$/;

/**
 * Keeps the answers of the reads the appointments and prescriptions pages need (OfflineStore),
 * and answers those reads with the kept copy when the server cannot be reached (status 0: no
 * HTTP answer at all). Live-update checks (`_lastUpdated`) are not kept: each has its own URL.
 */
export const offlineInterceptor: HttpInterceptorFn = (request, next) => {
  const offline = inject(OfflineStore);
  const baseUrl = inject(FHIR_ENDPOINT).baseUrl;
  if (!isKept(request, baseUrl)) {
    return next(request);
  }
  const key = request.urlWithParams;
  return next(request).pipe(
    tap((event) => {
      if (event instanceof HttpResponse && event.ok) {
        void offline.save(key, event.body);
      }
    }),
    catchError((error: unknown) => {
      if (!(error instanceof HttpErrorResponse) || error.status !== 0) {
        return throwError(() => error);
      }
      return from(offline.recall(key)).pipe(
        switchMap((saved) => (saved ? of(new HttpResponse({ body: saved.body, status: 200, url: request.url })) : throwError(() => error))),
      );
    }),
  );
};

function isKept(request: HttpRequest<unknown>, baseUrl: string): boolean {
  if (request.method !== 'GET' || !request.url.startsWith(`${baseUrl}/`)) {
    return false;
  }
  const [path, query = ''] = request.url.slice(baseUrl.length + 1).split('?');
  return KEPT.test(path) && !request.params.has('_lastUpdated') && !new URLSearchParams(query).has('_lastUpdated');
}
