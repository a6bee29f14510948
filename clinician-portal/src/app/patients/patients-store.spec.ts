import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { PatientsStore, timelineEntry } from './patients-store';

const BASE = 'http://medbuddy.test/fhir';

describe('PatientsStore', () => {
  let store: PatientsStore;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        PatientsStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    store = TestBed.inject(PatientsStore);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('lists the patients the server lets the doctor see, found by name', async () => {
    const loaded = store.loadPatients(' Adler ');
    const request = http.expectOne((r) => r.url === `${BASE}/Patient`);
    expect(request.request.params.get('name')).toBe('Adler');
    request.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { resourceType: 'Patient', id: 'p1' }, search: { mode: 'match' } }],
    });
    await loaded;
    expect(store.patients().map((p) => p.id)).toEqual(['p1']);
    expect(store.empty()).toBe(false);
  });

  it("reads the chart's timeline with $everything, newest first", async () => {
    const loaded = store.loadChart('p1');
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    const everything = http.expectOne((r) => r.url === `${BASE}/Patient/p1/$everything`);
    expect(everything.request.method).toBe('GET');
    expect(everything.request.params.get('_sort')).toBe('-timeline-date');
    expect(everything.request.params.get('_type')).toContain('Composition');
    everything.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          resource: {
            resourceType: 'Composition',
            id: 'c1',
            status: 'final',
            title: 'Consultation note',
            date: '2026-12-20',
            type: {},
            author: [],
          },
        },
        { resource: { resourceType: 'Patient', id: 'p1' } },
      ],
    });
    await loaded;
    expect(store.timeline()).toEqual([{ id: 'Composition/c1', date: '2026-12-20', kind: 'Note', text: 'Consultation note (final)' }]);
  });

  it('shows a refused chart as a message', async () => {
    const loaded = store.loadChart('stranger');
    http
      .expectOne(`${BASE}/Patient/stranger`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] },
        { status: 404, statusText: 'Not Found' },
      );
    http.expectOne((r) => r.url === `${BASE}/Patient/stranger/$everything`).flush({ resourceType: 'Bundle', type: 'searchset' });
    await loaded;
    expect(store.error()).toBeTruthy();
    expect(store.patient()).toBeUndefined();
  });

  it('describes a prescription by its medication and dosage', () => {
    expect(
      timelineEntry({
        resourceType: 'MedicationRequest',
        id: 'm1',
        status: 'active',
        intent: 'order',
        subject: {},
        authoredOn: '2026-12-20',
        medicationCodeableConcept: { text: 'Amlodipine' },
        dosageInstruction: [{ text: 'daily' }],
      }),
    ).toEqual([{ id: 'MedicationRequest/m1', date: '2026-12-20', kind: 'Prescription', text: 'Amlodipine: daily' }]);
  });
});
