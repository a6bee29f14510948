import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { HomeStore } from './home-store';

const BASE = 'http://medbuddy.test/fhir';

describe('HomeStore (clinician)', () => {
  function setUp(fhirUser: string | undefined) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        HomeStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { fhirUser: signal(fhirUser) } },
      ],
    });
    return { store: TestBed.inject(HomeStore), http: TestBed.inject(HttpTestingController) };
  }

  it("reads the doctor's own Practitioner and flags a pending verification", async () => {
    const { store, http } = setUp('Practitioner/d1');
    const loaded = store.load();
    http
      .expectOne(`${BASE}/Practitioner/d1`)
      .flush({ resourceType: 'Practitioner', id: 'd1', active: false, name: [{ prefix: ['Dr.'], given: ['Ada'], family: 'Lovelace' }] });
    await loaded;
    expect(store.displayName()).toBe('Dr. Ada Lovelace');
    expect(store.pendingVerification()).toBe(true);
    http.verify();
  });

  it('knows an administrator by the absence of a FHIR profile, without a request', async () => {
    const { store, http } = setUp(undefined);
    await store.load();
    expect(store.administrator()).toBe(true);
    http.verify();
  });

  it('refuses a patient account with a clear message', async () => {
    const { store } = setUp('Patient/p1');
    await store.load();
    expect(store.error()).toContain('patient portal');
  });

  it('shows the server message when the read fails', async () => {
    const { store, http } = setUp('Practitioner/d1');
    const loaded = store.load();
    http
      .expectOne(`${BASE}/Practitioner/d1`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'Not your profile' }] },
        { status: 403, statusText: 'Forbidden' },
      );
    await loaded;
    expect(store.error()).toBe('Not your profile.');
  });
});
