import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { freeSlot, WEBER, WEBER_ROLE } from '../doctor-testing';
import { DoctorSearchStore } from './doctor-search-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('DoctorSearchStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        DoctorSearchStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    return { store: TestBed.inject(DoctorSearchStore), http: TestBed.inject(HttpTestingController) };
  }

  const results = {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [{ resource: WEBER_ROLE }, { resource: WEBER, search: { mode: 'include' } }],
  };

  it("lists the doctors, then each one's next free slot as it arrives", async () => {
    const { store, http } = setUp();
    const searched = store.search({ specialty: 'cardiology' });
    http.expectOne((r) => r.url === `${BASE}/PractitionerRole`).flush(results);
    await searched;
    expect(store.doctors().map((doctor) => doctor.name)).toEqual(['Dr. Lukas Weber']);
    expect(store.nextSlots()['r1']).toBeUndefined();
    const slotSearch = http.expectOne((r) => r.url === `${BASE}/Slot`);
    expect(slotSearch.request.params.get('_count')).toBe('1');
    slotSearch.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: freeSlot('s1', '2026-12-01T08:00:00Z') }] });
    await settle();
    expect(store.nextSlots()['r1']?.id).toBe('s1');
  });

  it('keeps the latest search when an earlier one answers late', async () => {
    const { store, http } = setUp();
    const first = store.search({ text: 'web' });
    const second = store.search({ text: 'tanaka' });
    const [slow, fast] = http.match((r) => r.url === `${BASE}/PractitionerRole`);
    fast.flush({ resourceType: 'Bundle', type: 'searchset' });
    slow.flush(results);
    await Promise.all([first, second]);
    expect(store.doctors()).toEqual([]);
    expect(store.searched()).toBe(true);
  });

  it('shows why the search failed', async () => {
    const { store, http } = setUp();
    const searched = store.search({});
    http
      .expectOne((r) => r.url === `${BASE}/PractitionerRole`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Unknown sort parameter' }] },
        { status: 400, statusText: 'Bad Request' },
      );
    await searched;
    expect(store.error()).toBe('Unknown sort parameter.');
  });
});
