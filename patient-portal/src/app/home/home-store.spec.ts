import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { HomeStore } from './home-store';

const BASE = 'http://medbuddy.test/fhir';

describe('HomeStore (patient)', () => {
  function setUp(patientId: string | undefined) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        HomeStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal(patientId) } },
      ],
    });
    return { store: TestBed.inject(HomeStore), http: TestBed.inject(HttpTestingController) };
  }

  it('reads the patient in launch context and shows their name', async () => {
    const { store, http } = setUp('p1');
    const loaded = store.load();
    expect(store.loading()).toBe(true);
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1', name: [{ given: ['Maria'], family: 'Garcia' }] });
    await loaded;
    expect(store.displayName()).toBe('Maria Garcia');
    expect(store.loading()).toBe(false);
    http.verify();
  });

  it('says so when the account has no patient record, without a request', async () => {
    const { store, http } = setUp(undefined);
    await store.load();
    expect(store.error()).toBe('Your account is not linked to a patient record.');
    http.verify();
  });

  it('shows a clear message when the server cannot be reached', async () => {
    const { store, http } = setUp('p1');
    const loaded = store.load();
    http.expectOne(`${BASE}/Patient/p1`).error(new ProgressEvent('error'), { status: 0 });
    await loaded;
    expect(store.error()).toContain('Cannot reach MedBuddy');
  });
});
