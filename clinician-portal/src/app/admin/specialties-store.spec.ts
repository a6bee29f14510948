import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { CodeSystem } from '@medplum/fhirtypes';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { SPECIALTY_CODE_SYSTEM } from './specialty-codes';
import { SpecialtiesStore } from './specialties-store';

const BASE = 'http://medbuddy.test/fhir';
const codeSystem: CodeSystem = {
  resourceType: 'CodeSystem',
  id: 'specialty',
  meta: { versionId: '7' },
  url: SPECIALTY_CODE_SYSTEM,
  status: 'active',
  content: 'complete',
  concept: [{ code: 'cardiology', display: 'Cardiology' }],
};

describe('SpecialtiesStore', () => {
  let store: SpecialtiesStore;
  let http: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        SpecialtiesStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    store = TestBed.inject(SpecialtiesStore);
    http = TestBed.inject(HttpTestingController);
    const loading = store.load();
    const request = http.expectOne((r) => r.url === `${BASE}/CodeSystem`);
    expect(request.request.params.get('url')).toBe(SPECIALTY_CODE_SYSTEM);
    request.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: codeSystem, search: { mode: 'match' } }] });
    await loading;
  });

  afterEach(() => http.verify());

  it('adds a specialty with a PUT of the code system guarded by its version', async () => {
    const added = store.add('sports-medicine', 'Sports medicine', '');
    const put = http.expectOne({ method: 'PUT', url: `${BASE}/CodeSystem/specialty` });
    expect(put.request.headers.get('If-Match')).toBe('W/"7"');
    expect(put.request.body.concept.at(-1)).toEqual({
      code: 'sports-medicine',
      display: 'Sports medicine',
      property: [{ code: 'status', valueCode: 'active' }],
    });
    put.flush({ ...put.request.body, meta: { versionId: '8' } });
    expect(await added).toBe(true);
    expect(store.rows().map((row) => row.code)).toEqual(['cardiology', 'sports-medicine']);
    expect(store.message()).toBe('Specialty "Sports medicine" added.');
  });

  it('retires a specialty, and shows a concurrent change as an error', async () => {
    const retired = store.setRetired('cardiology', true);
    const put = http.expectOne({ method: 'PUT', url: `${BASE}/CodeSystem/specialty` });
    expect(put.request.body.concept[0].property).toEqual([{ code: 'status', valueCode: 'retired' }]);
    put.flush(
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict' }] },
      { status: 412, statusText: 'Precondition Failed' },
    );
    expect(await retired).toBe(false);
    expect(store.error()).toBeTruthy();
    expect(store.rows()[0].retired).toBe(false);
  });

  it('refuses a code that exists without a request', async () => {
    expect(await store.add('cardiology', 'Heart', '')).toBe(false);
    expect(store.error()).toContain('exists already');
  });
});
