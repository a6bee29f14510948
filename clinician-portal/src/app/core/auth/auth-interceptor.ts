import { HttpErrorResponse, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { from, switchMap, throwError, catchError } from 'rxjs';
import { FHIR_ENDPOINT } from '../fhir/fhir-endpoint';
import { AuthStore } from './auth-store';

/**
 * Adds the bearer token to requests for our FHIR server, and to no other origin. On a 401
 * (token revoked, clock skew) it refreshes once and retries once.
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  const auth = inject(AuthStore);
  const baseUrl = inject(FHIR_ENDPOINT).baseUrl;
  if (!isFhirRequest(request.url, baseUrl)) {
    return next(request);
  }
  const send = () => from(auth.accessToken()).pipe(switchMap((token) => next(withBearer(request, token))));
  return send().pipe(
    catchError((error: unknown) => {
      if (error instanceof HttpErrorResponse && error.status === 401 && auth.signedIn()) {
        return from(auth.refresh()).pipe(switchMap((refreshed) => (refreshed ? send() : throwError(() => error))));
      }
      return throwError(() => error);
    }),
  );
};

function isFhirRequest(url: string, baseUrl: string): boolean {
  return url === baseUrl || url.startsWith(`${baseUrl}/`) || url.startsWith(`${baseUrl}?`);
}

function withBearer<T>(request: HttpRequest<T>, token: string | undefined): HttpRequest<T> {
  return token ? request.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : request;
}
