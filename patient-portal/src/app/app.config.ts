import { DOCUMENT } from '@angular/common';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { inject, provideBrowserGlobalErrorListeners, type ApplicationConfig } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { environment } from '../environments/environment';
import { routes } from './app.routes';
import { authInterceptor } from './core/auth/auth-interceptor';
import { SMART_APP } from './core/auth/smart-app';
import { FHIR_ENDPOINT, resolveFhirEndpoint } from './core/fhir/fhir-endpoint';
import { provideIcons } from './core/shell/icons';
import { offlineInterceptor } from './offline/offline-interceptor';
import { forgetSavedAnswersOnSignOut } from './offline/offline-store';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding()),
    // The offline interceptor is outermost: it sees the answer after the token was added (and refreshed).
    provideHttpClient(withInterceptors([offlineInterceptor, authInterceptor])),
    forgetSavedAnswersOnSignOut(),
    provideIcons(),
    { provide: FHIR_ENDPOINT, useFactory: () => resolveFhirEndpoint(environment, inject(DOCUMENT).baseURI) },
    {
      provide: SMART_APP,
      useValue: {
        clientId: 'patient-portal',
        // The patient's own record (launch/patient), and a refresh token while the tab is open.
        scope: 'openid fhirUser launch/patient online_access patient/*.cruds',
        redirectPath: 'callback',
      },
    },
  ],
};
