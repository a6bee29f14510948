import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { OnboardingStore } from './onboarding-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('OnboardingStore', () => {
  function setUp(fhirUser: string | null = 'Practitioner/d1') {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        OnboardingStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { fhirUser: signal(fhirUser ?? undefined) } },
      ],
    });
    return { store: TestBed.inject(OnboardingStore), http: TestBed.inject(HttpTestingController) };
  }

  async function loaded(store: OnboardingStore, http: HttpTestingController, roles: unknown[] = []): Promise<void> {
    const loading = store.load();
    http
      .expectOne(`${BASE}/Practitioner/d1`)
      .flush({ resourceType: 'Practitioner', id: 'd1', meta: { versionId: '2' }, active: false, name: [{ family: 'Wilson' }] });
    http
      .expectOne((r) => r.url === `${BASE}/PractitionerRole` && r.params.get('practitioner') === 'Practitioner/d1')
      .flush({ resourceType: 'Bundle', type: 'searchset', entry: roles.map((resource) => ({ resource })) });
    for (const request of http.match((r) => r.url === `${BASE}/ValueSet/$expand`)) {
      const specialty = request.request.params.get('url')?.endsWith('/specialty');
      request.flush({
        resourceType: 'ValueSet',
        status: 'active',
        expansion: {
          timestamp: '2026-11-25',
          contains: specialty
            ? [{ code: 'medical', abstract: true, display: 'Medical', contains: [{ code: 'cardiology', display: 'Cardiology' }] }]
            : [{ code: 'en', display: 'English' }],
        },
      });
    }
    await loading;
  }

  it('loads the Practitioner, the role and the pickable codes (abstract groups left out)', async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    expect(store.loading()).toBe(false);
    expect(store.verification()).toBe('pending');
    expect(store.profile().familyName).toBe('Wilson');
    expect(store.specialties()).toEqual([{ code: 'cardiology', display: 'Cardiology' }]);
    expect(store.languages()).toEqual([{ code: 'en', display: 'English' }]);
    http.verify();
  });

  it('updates the Practitioner with If-Match, then creates the missing role', async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    const saving = store.submit({
      ...store.profile(),
      specialty: { code: 'cardiology', display: 'Cardiology' },
      fee: 50,
      languages: ['en'],
    });
    const put = http.expectOne(`${BASE}/Practitioner/d1`);
    expect(put.request.method).toBe('PUT');
    expect(put.request.headers.get('If-Match')).toBe('W/"2"');
    expect(put.request.body.active).toBe(false);
    put.flush({ ...put.request.body, meta: { versionId: '3' } });
    await settle();
    const post = http.expectOne(`${BASE}/PractitionerRole`);
    expect(post.request.method).toBe('POST');
    expect(post.request.body.practitioner).toEqual({ reference: 'Practitioner/d1' });
    post.flush({ ...post.request.body, id: 'r1' });
    expect(await saving).toBe(true);
    expect(store.saved()).toBe(true);
  });

  it("updates an existing role and shows the server's refusal", async () => {
    const { store, http } = setUp();
    await loaded(store, http, [{ resourceType: 'PractitionerRole', id: 'r1', meta: { versionId: '5' } }]);
    const saving = store.submit(store.profile());
    http.expectOne(`${BASE}/Practitioner/d1`).flush({ resourceType: 'Practitioner', id: 'd1', meta: { versionId: '3' } });
    await settle();
    const put = http.expectOne(`${BASE}/PractitionerRole/r1`);
    expect(put.request.headers.get('If-Match')).toBe('W/"5"');
    put.flush(
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'specialty is required' }] },
      { status: 422, statusText: 'Unprocessable' },
    );
    expect(await saving).toBe(false);
    expect(store.error()).toBe('Specialty is required.');
    expect(store.saved()).toBe(false);
  });

  it('refuses an administrator without a request', async () => {
    const { store, http } = setUp(null);
    await store.load();
    expect(store.error()).toContain('Only doctors');
    http.verify();
  });
});
