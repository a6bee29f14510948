import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import type { Provider, EnvironmentProviders } from '@angular/core';
import { FHIR_ENDPOINT } from '../fhir/fhir-endpoint';
import { authInterceptor } from './auth-interceptor';
import { AUTH_STORAGE, BASE_URI, LEAVE_APP } from './browser';

export { memoryStorage } from './browser';
import { SMART_APP } from './smart-app';
import type { SmartConfiguration, TokenResponse } from './smart-client';

/** Test fixtures for the auth specs: a server at medbuddy.test, the portal under /portal/. */
export const FHIR_BASE = 'http://medbuddy.test/fhir';
export const DISCOVERY_URL = `${FHIR_BASE}/.well-known/smart-configuration`;

export const SMART_CONFIGURATION: SmartConfiguration = {
  issuer: 'http://medbuddy.test',
  authorization_endpoint: 'http://medbuddy.test/oauth2/authorize',
  token_endpoint: 'http://medbuddy.test/oauth2/token',
  revocation_endpoint: 'http://medbuddy.test/oauth2/revoke',
  code_challenge_methods_supported: ['S256'],
};

export function tokenResponse(overrides: Partial<TokenResponse> = {}): TokenResponse {
  return {
    access_token: 'access-1',
    token_type: 'Bearer',
    expires_in: 900,
    scope: 'openid fhirUser patient/*.cruds',
    refresh_token: 'refresh-1',
    patient: 'p1',
    fhirUser: `${FHIR_BASE}/Patient/p1`,
    ...overrides,
  };
}

/** Providers for AuthStore and the interceptor with in-memory storage and a recorded redirect. */
export function authTestProviders(storage: Storage, leftTo: string[]): (Provider | EnvironmentProviders)[] {
  return [
    provideHttpClient(withInterceptors([authInterceptor])),
    provideHttpClientTesting(),
    { provide: FHIR_ENDPOINT, useValue: { baseUrl: FHIR_BASE, audience: FHIR_BASE } },
    {
      provide: SMART_APP,
      useValue: {
        clientId: 'test-portal',
        scope: 'openid fhirUser launch/patient online_access patient/*.cruds',
        redirectPath: 'callback',
      },
    },
    { provide: AUTH_STORAGE, useValue: storage },
    { provide: LEAVE_APP, useValue: (url: string) => leftTo.push(url) },
    { provide: BASE_URI, useValue: 'http://portal.test/portal/' },
  ];
}
