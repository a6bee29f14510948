import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { MEDICATION_VALUE_SET } from '../terminology/value-set-api';
import { PRESCRIPTION_GROUP_SYSTEM, PrescriptionStore } from './prescription-store';

const BASE = 'http://medbuddy.test/fhir';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const AMLODIPINE = { system: RXNORM, code: '197361', display: 'Amlodipine 5 MG Oral Tablet' };

describe('PrescriptionStore', () => {
  let store: PrescriptionStore;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        PrescriptionStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    store = TestBed.inject(PrescriptionStore);
    http = TestBed.inject(HttpTestingController);
    store.open({ patient: 'Patient/p1', encounter: 'Encounter/e1', requester: 'Practitioner/d1' }, []);
  });

  afterEach(() => http.verify());

  it('searches medications with $expand and a filter', async () => {
    const searched = store.searchMedications('amlo');
    const request = http.expectOne((r) => r.url === `${BASE}/ValueSet/$expand`);
    expect(request.request.params.get('url')).toBe(MEDICATION_VALUE_SET);
    expect(request.request.params.get('filter')).toBe('amlo');
    request.flush({ resourceType: 'ValueSet', status: 'active', expansion: { timestamp: '2026-12-20', contains: [AMLODIPINE] } });
    await searched;
    expect(store.medications()).toEqual([AMLODIPINE]);
  });

  it('issues the items as MedicationRequests sharing one groupIdentifier', async () => {
    expect(store.add({ medication: AMLODIPINE, dosage: ' 1 daily ', quantity: 30, unit: 'tablet', refills: 2 })).toBe(true);
    expect(
      store.add({ medication: { ...AMLODIPINE, code: '860975' }, dosage: 'twice daily', quantity: 60, unit: 'tablet', refills: 0 }),
    ).toBe(true);
    const issued = store.issue(new Date('2026-12-20T09:00:00Z'));
    const first = http.expectOne({ method: 'POST', url: `${BASE}/MedicationRequest` });
    first.flush({ ...first.request.body, id: 'm1' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const second = http.expectOne({ method: 'POST', url: `${BASE}/MedicationRequest` });
    second.flush({ ...second.request.body, id: 'm2' });
    expect(await issued).toBe(true);
    const body = first.request.body;
    expect(body.groupIdentifier.system).toBe(PRESCRIPTION_GROUP_SYSTEM);
    expect(second.request.body.groupIdentifier).toEqual(body.groupIdentifier);
    expect(body.dosageInstruction).toEqual([{ text: '1 daily' }]);
    expect(body.dispenseRequest).toEqual({ numberOfRepeatsAllowed: 2, quantity: { value: 30, unit: 'tablet' } });
    expect(body.requester).toEqual({ reference: 'Practitioner/d1' });
    expect(store.items()).toEqual([]);
    expect(store.issued().map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  it('refuses an item without dosage or with too many refills', () => {
    expect(store.add({ medication: AMLODIPINE, dosage: ' ', quantity: 30, unit: 'tablet', refills: 0 })).toBe(false);
    expect(store.add({ medication: AMLODIPINE, dosage: 'daily', quantity: 30, unit: 'tablet', refills: 13 })).toBe(false);
    expect(store.error()).toContain('0 to 12 refills');
    expect(store.items()).toEqual([]);
  });

  it('turns the $pdf Binary into a PDF Blob', async () => {
    const pdf = store.pdf({ resourceType: 'MedicationRequest', id: 'm1', status: 'active', intent: 'order', subject: {} });
    http.expectOne({ method: 'GET', url: `${BASE}/MedicationRequest/m1/$pdf` }).flush({
      resourceType: 'Binary',
      contentType: 'application/pdf',
      data: btoa('%PDF-1.7'),
    });
    const blob = await pdf;
    expect(blob?.type).toBe('application/pdf');
    expect(await blob?.text()).toBe('%PDF-1.7');
  });
});
