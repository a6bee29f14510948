import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { AccountApi } from './account-api';

describe('AccountApi', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: 'http://medbuddy.test/fhir', audience: 'http://medbuddy.test/fhir' } },
      ],
    });
    return { api: TestBed.inject(AccountApi), http: TestBed.inject(HttpTestingController) };
  }

  it('registers a patient at /auth/register next to the FHIR base', async () => {
    const { api, http } = setUp();
    const done = api.register({ email: 'maria@example.org', password: 'a long password', givenName: 'Maria', familyName: 'Garcia' });
    const request = http.expectOne('http://medbuddy.test/auth/register');
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toEqual({
      email: 'maria@example.org',
      password: 'a long password',
      givenName: 'Maria',
      familyName: 'Garcia',
      role: 'patient',
    });
    request.flush({ message: 'sent' }, { status: 202, statusText: 'Accepted' });
    await done;
    http.verify();
  });

  it('passes the OperationOutcome of a refusal on, for a readable message', async () => {
    const { api, http } = setUp();
    const done = api.register({ email: 'x', password: 'short', givenName: '', familyName: '' });
    http.expectOne('http://medbuddy.test/auth/register').flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'invalid', diagnostics: 'A valid e-mail address is required' }],
      },
      { status: 400, statusText: 'Bad Request' },
    );
    expect(outcomeMessage(await done.catch((e: unknown) => e))).toBe('A valid e-mail address is required.');
  });

  it('asks for a password reset link', async () => {
    const { api, http } = setUp();
    const done = api.forgotPassword('maria@example.org');
    const request = http.expectOne('http://medbuddy.test/auth/forgot-password');
    expect(request.request.body).toEqual({ email: 'maria@example.org' });
    request.flush({}, { status: 202, statusText: 'Accepted' });
    await done;
  });
});
