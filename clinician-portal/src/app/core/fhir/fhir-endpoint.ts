import { InjectionToken } from '@angular/core';

/** The FHIR server this app talks to: absolute URLs, without trailing slash. */
export interface FhirEndpoint {
  /** Where FHIR requests go, e.g. `http://localhost:3000/fhir`. */
  readonly baseUrl: string;
  /** The `aud` of the SMART launch: the server's canonical FHIR base URL. */
  readonly audience: string;
}

export const FHIR_ENDPOINT = new InjectionToken<FhirEndpoint>('FHIR_ENDPOINT');

/** Resolves the build's (possibly relative) settings against the page's URL. */
export function resolveFhirEndpoint(settings: { fhirBaseUrl: string; fhirAudience?: string }, pageUrl: string): FhirEndpoint {
  const baseUrl = new URL(settings.fhirBaseUrl, pageUrl).href.replace(/\/+$/, '');
  const audience = settings.fhirAudience ? new URL(settings.fhirAudience, pageUrl).href.replace(/\/+$/, '') : baseUrl;
  return { baseUrl, audience };
}
