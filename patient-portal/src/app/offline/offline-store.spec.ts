import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { AuthStore, ON_SIGN_OUT } from '../core/auth/auth-store';
import { memoryStorage } from '../core/auth/browser';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { offlineInterceptor } from './offline-interceptor';
import { CACHE_STORAGE, DATA_CACHE_PREFIX, forgetSavedAnswersOnSignOut, OFFLINE_STORAGE, OfflineStore } from './offline-store';
import { memoryCacheStorage } from './offline-testing';

const BASE = 'http://medbuddy.test/fhir';
const APPOINTMENTS = `${BASE}/Appointment?patient=Patient/p1&_count=200`;
const BUNDLE = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Appointment', id: 'a1' } }] };
const NO_NETWORK = new ProgressEvent('error');

describe('OfflineStore and offlineInterceptor (saved answers per patient)', () => {
  let caches: CacheStorage;
  let storage: Storage;
  let patientId: ReturnType<typeof signal<string | undefined>>;

  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([offlineInterceptor])),
        provideHttpClientTesting(),
        forgetSavedAnswersOnSignOut(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId } },
        { provide: CACHE_STORAGE, useValue: caches },
        { provide: OFFLINE_STORAGE, useValue: storage },
      ],
    });
    return { store: TestBed.inject(OfflineStore), http: TestBed.inject(HttpClient), backend: TestBed.inject(HttpTestingController) };
  }

  /** Lets the saving (Cache Storage promises) finish. */
  const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

  beforeEach(() => {
    caches = memoryCacheStorage();
    storage = memoryStorage();
    patientId = signal<string | undefined>('p1');
  });

  async function loadOnline(): Promise<void> {
    const { http, backend } = setUp();
    const answered = firstValueFrom(http.get(APPOINTMENTS));
    backend.expectOne(APPOINTMENTS).flush(BUNDLE);
    await answered;
    await settle();
    TestBed.resetTestingModule();
  }

  it('keeps an answer of the signed-in patient and answers with it when the server cannot be reached', async () => {
    await loadOnline();
    expect(await caches.keys()).toEqual([`${DATA_CACHE_PREFIX}p1`]);

    const { store, http, backend } = setUp();
    expect(store.offline()).toBe(false);
    const answered = firstValueFrom(http.get(APPOINTMENTS));
    backend.expectOne(APPOINTMENTS).error(NO_NETWORK);
    expect(await answered).toEqual(BUNDLE);
    expect(store.offline()).toBe(true);
    expect(store.savedAt()?.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('passes server errors and unsaved reads through, and does not keep writes or live-update checks', async () => {
    const { http, backend } = setUp();
    const refused = firstValueFrom(http.get(`${BASE}/MedicationRequest?subject=Patient/p1`));
    backend
      .expectOne(`${BASE}/MedicationRequest?subject=Patient/p1`)
      .flush({ resourceType: 'OperationOutcome' }, { status: 403, statusText: 'Forbidden' });
    await expect(refused).rejects.toMatchObject({ status: 403 });
    const unsaved = firstValueFrom(http.get(APPOINTMENTS));
    backend.expectOne(APPOINTMENTS).error(NO_NETWORK);
    await expect(unsaved).rejects.toMatchObject({ status: 0 });

    const check = `${BASE}/Appointment?patient=Patient/p1&_lastUpdated=gt2026-01-01`;
    const checked = firstValueFrom(http.get(check));
    backend.expectOne(check).flush(BUNDLE);
    await checked;
    const written = firstValueFrom(http.post(`${BASE}/Appointment`, {}));
    backend.expectOne(`${BASE}/Appointment`).flush({ resourceType: 'Appointment', id: 'a2' });
    await written;
    await settle();
    expect(await caches.keys()).toEqual([]);
  });

  it('offline without a session shows the last patient kept on this device, only when the server cannot be reached', async () => {
    await loadOnline();
    patientId.set(undefined);
    const { store, http, backend } = setUp();
    // Not offline yet: nothing is shown without a session.
    const before = firstValueFrom(http.get(APPOINTMENTS));
    backend.expectOne(APPOINTMENTS).error(NO_NETWORK);
    await expect(before).rejects.toMatchObject({ status: 0 });

    const reachable = store.showSavedIfUnreachable();
    await settle();
    backend.expectOne(`${BASE}/metadata`).flush('', { status: 401, statusText: 'Unauthorized' });
    expect(await reachable).toBe(false);

    const unreachable = store.showSavedIfUnreachable();
    await settle();
    backend.expectOne(`${BASE}/metadata`).error(NO_NETWORK);
    expect(await unreachable).toBe(true);
    expect(store.patientId()).toBe('p1');
    const answered = firstValueFrom(http.get(APPOINTMENTS));
    backend.expectOne(APPOINTMENTS).error(NO_NETWORK);
    expect(await answered).toEqual(BUNDLE);
  });

  it('another patient signing in removes the previous patient’s answers; signing out removes all', async () => {
    await loadOnline();
    patientId.set('p2');
    setUp();
    TestBed.tick();
    await settle();
    expect(await caches.keys()).toEqual([]);

    TestBed.resetTestingModule();
    await loadOnline();
    const { store: again } = setUp();
    expect(await caches.keys()).toEqual([`${DATA_CACHE_PREFIX}p2`]);
    await Promise.all(TestBed.inject(ON_SIGN_OUT).map((hook) => hook()));
    expect(await caches.keys()).toEqual([]);
    expect(again.patientId()).toBe('p2');
    patientId.set(undefined);
    expect(await again.showSavedIfUnreachable()).toBe(false);
  });
});
