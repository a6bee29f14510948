import { HttpClient, type HttpErrorResponse } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { authTestProviders, FHIR_BASE, memoryStorage, SMART_CONFIGURATION, tokenResponse } from './auth-testing';
import { AuthStore } from './auth-store';
import { SmartClient } from './smart-client';

describe('authInterceptor', () => {
  let http: HttpTestingController;
  let client: HttpClient;
  let auth: AuthStore;
  let storage: Storage;

  const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

  beforeEach(() => {
    storage = memoryStorage();
    TestBed.configureTestingModule({ providers: authTestProviders(storage, []) });
    http = TestBed.inject(HttpTestingController);
    client = TestBed.inject(HttpClient);
    auth = TestBed.inject(AuthStore);
    vi.spyOn(TestBed.inject(SmartClient), 'discover').mockResolvedValue(SMART_CONFIGURATION);
  });

  afterEach(() => http.verify());

  /** Signs in by restoring from a refresh token (the token endpoint answers `access`). */
  async function signedInWith(access: string): Promise<void> {
    storage.setItem('medbuddy.test-portal.refresh', 'refresh-0');
    const restored = auth.restore();
    await settle();
    http.expectOne(SMART_CONFIGURATION.token_endpoint).flush(tokenResponse({ access_token: access }));
    expect(await restored).toBe(true);
  }

  it('adds the bearer token to FHIR requests (app-launch.html#access-fhir-resources)', async () => {
    await signedInWith('access-1');
    const response = firstValueFrom(client.get(`${FHIR_BASE}/Patient/p1`));
    await settle();
    const request = http.expectOne(`${FHIR_BASE}/Patient/p1`);
    expect(request.request.headers.get('Authorization')).toBe('Bearer access-1');
    request.flush({ resourceType: 'Patient', id: 'p1' });
    await response;
  });

  it('never sends the token to another origin or path', async () => {
    await signedInWith('access-1');
    const elsewhere = firstValueFrom(client.get('https://cdn.example/fhir/Patient'));
    const lookalike = firstValueFrom(client.get(`${FHIR_BASE}-evil/Patient`));
    await settle();
    const first = http.expectOne('https://cdn.example/fhir/Patient');
    const second = http.expectOne(`${FHIR_BASE}-evil/Patient`);
    expect(first.request.headers.has('Authorization')).toBe(false);
    expect(second.request.headers.has('Authorization')).toBe(false);
    first.flush({});
    second.flush({});
    await Promise.all([elsewhere, lookalike]);
  });

  it('sends FHIR requests without a token when signed out (the public directory)', async () => {
    const response = firstValueFrom(client.get(`${FHIR_BASE}/Practitioner`));
    await settle();
    const request = http.expectOne(`${FHIR_BASE}/Practitioner`);
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush({ resourceType: 'Bundle' });
    await response;
  });

  it('on a 401 refreshes once and retries with the new token', async () => {
    await signedInWith('revoked');
    const response = firstValueFrom(client.get(`${FHIR_BASE}/Patient/p1`));
    await settle();
    http.expectOne(`${FHIR_BASE}/Patient/p1`).flush({ resourceType: 'OperationOutcome' }, { status: 401, statusText: 'Unauthorized' });
    await settle();
    http.expectOne(SMART_CONFIGURATION.token_endpoint).flush(tokenResponse({ access_token: 'fresh' }));
    await settle();
    const retry = http.expectOne(`${FHIR_BASE}/Patient/p1`);
    expect(retry.request.headers.get('Authorization')).toBe('Bearer fresh');
    retry.flush({ resourceType: 'Patient', id: 'p1' });
    expect(await response).toEqual({ resourceType: 'Patient', id: 'p1' });
  });

  it('passes the 401 on when the refresh is refused, without retrying again', async () => {
    await signedInWith('revoked');
    const response = firstValueFrom(client.get(`${FHIR_BASE}/Patient/p1`));
    await settle();
    http.expectOne(`${FHIR_BASE}/Patient/p1`).flush(null, { status: 401, statusText: 'Unauthorized' });
    await settle();
    http.expectOne(SMART_CONFIGURATION.token_endpoint).flush({ error: 'invalid_grant' }, { status: 400, statusText: 'Bad Request' });
    const error = await response.catch((e: unknown) => e);
    expect((error as HttpErrorResponse).status).toBe(401);
    expect(auth.sessionEnded()).toBe(true);
  });

  it('passes other errors on untouched', async () => {
    await signedInWith('access-1');
    const response = firstValueFrom(client.get(`${FHIR_BASE}/Patient/x`));
    await settle();
    http.expectOne(`${FHIR_BASE}/Patient/x`).flush(null, { status: 404, statusText: 'Not Found' });
    expect(((await response.catch((e: unknown) => e)) as HttpErrorResponse).status).toBe(404);
  });
});
