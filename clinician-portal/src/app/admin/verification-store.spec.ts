import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Practitioner } from '@medplum/fhirtypes';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { VerificationStore } from './verification-store';

const BASE = 'http://medbuddy.test/fhir';
const HOUSE: Practitioner = { resourceType: 'Practitioner', id: 'd1', active: false, name: [{ given: ['Gregory'], family: 'House' }] };

describe('VerificationStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        VerificationStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    return { store: TestBed.inject(VerificationStore), http: TestBed.inject(HttpTestingController) };
  }

  async function loaded(store: VerificationStore, http: HttpTestingController): Promise<void> {
    const loading = store.load();
    http
      .expectOne((request) => request.url === `${BASE}/Practitioner` && request.params.get('active') === 'false')
      .flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: HOUSE, search: { mode: 'match' } }] });
    await loading;
  }

  it('lists the inactive doctors', async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    expect(store.pending().map((doctor) => doctor.id)).toEqual(['d1']);
    expect(store.empty()).toBe(false);
    http.verify();
  });

  it('verifies a doctor with $verify and removes them from the queue', async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    const decided = store.decide(HOUSE, 'validated', 'Licence checked');
    const request = http.expectOne(`${BASE}/Practitioner/d1/$verify`);
    expect(request.request.method).toBe('POST');
    expect(request.request.body.parameter).toEqual([
      { name: 'status', valueCode: 'validated' },
      { name: 'reason', valueString: 'Licence checked' },
    ]);
    request.flush({ resourceType: 'Parameters' });
    expect(await decided).toBe(true);
    expect(store.pending()).toEqual([]);
    expect(store.message()).toBe('Doctor verified.');
  });

  it('refuses a decision without a reason, without a request', async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    expect(await store.decide(HOUSE, 'rejected', '  ')).toBe(false);
    expect(store.error()).toContain('reason');
    http.verify();
  });

  it("keeps the doctor and shows the server's message when $verify fails", async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    const decided = store.decide(HOUSE, 'rejected', 'No licence');
    http.expectOne(`${BASE}/Practitioner/d1/$verify`).flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'Only administrators verify doctors' }],
      },
      { status: 403, statusText: 'Forbidden' },
    );
    expect(await decided).toBe(false);
    expect(store.pending().length).toBe(1);
    expect(store.error()).toBe('Only administrators verify doctors.');
  });
});
