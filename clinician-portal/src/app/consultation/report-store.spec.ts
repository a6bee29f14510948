import { HttpEventType, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { ReportStore } from './report-store';

const BASE = 'http://medbuddy.test/fhir';

describe('ReportStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ReportStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    return { store: TestBed.inject(ReportStore), http: TestBed.inject(HttpTestingController) };
  }

  it('lists the consultation’s reports, uploads one for the patient in the encounter, newest first', async () => {
    const { store, http } = setUp();
    const opening = store.open({ patient: 'Patient/p1', encounter: 'Encounter/e1' });
    const search = http.expectOne((r) => r.url === `${BASE}/DocumentReference`);
    expect(search.request.params.get('patient')).toBe('Patient/p1');
    expect(search.request.params.get('encounter')).toBe('Encounter/e1');
    search.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { resourceType: 'DocumentReference', id: 'old', status: 'current', content: [] } }],
    });
    await opening;

    const file = new File(['%PDF-1.7'], 'blood.pdf', { type: 'application/pdf' });
    const uploading = store.upload(file, { title: 'Blood panel', category: 'Laboratory report', date: '2026-11-20' });
    const request = http.expectOne(`${BASE}/DocumentReference/$upload`);
    const form = request.request.body as FormData;
    expect([...form.keys()]).toEqual(['patient', 'encounter', 'title', 'category', 'date', 'file']);
    expect([form.get('patient'), form.get('encounter'), form.get('category')]).toEqual(['Patient/p1', 'Encounter/e1', 'Laboratory report']);
    request.event({ type: HttpEventType.UploadProgress, loaded: 1, total: 4 });
    expect(store.uploadPercent()).toBe(25);
    request.flush({ resourceType: 'DocumentReference', id: 'new', status: 'current', content: [] });
    expect(await uploading).toBe(true);
    expect(store.reports().map((r) => r.id)).toEqual(['new', 'old']);
    expect(store.message()).toBe('blood.pdf is uploaded for the patient.');
    http.verify();
  });

  it('uploads nothing before it knows the consultation', async () => {
    const { store, http } = setUp();
    expect(await store.upload(new File(['x'], 'a.pdf'), { title: '', category: 'Other' })).toBe(false);
    http.verify();
  });
});
