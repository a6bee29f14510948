import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { MedicationRequest } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { PrescriptionsStore } from './prescriptions-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function item(id: string, group: string | undefined, display: string): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'active',
    intent: 'order',
    ...(group ? { groupIdentifier: { system: 'https://medbuddy.dev/fhir/identifier/prescription', value: group } } : {}),
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1', display }] },
    subject: { reference: 'Patient/p1' },
    requester: { reference: 'Practitioner/d1' },
    authoredOn: '2026-12-20T09:15:00Z',
    dosageInstruction: [{ text: 'Once a day' }],
  };
}

describe('PrescriptionsStore', () => {
  async function loaded(items: MedicationRequest[]) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        PrescriptionsStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const store = TestBed.inject(PrescriptionsStore);
    const http = TestBed.inject(HttpTestingController);
    const done = store.load();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    const search = http.expectOne((r) => r.url === `${BASE}/MedicationRequest`);
    expect(search.request.params.get('subject')).toBe('Patient/p1');
    expect(search.request.params.get('intent')).toBe('order');
    expect(search.request.params.get('_include')).toBe('MedicationRequest:requester');
    expect(search.request.params.get('_sort')).toBe('-authoredon');
    search.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        ...items.map((resource) => ({ resource, search: { mode: 'match' as const } })),
        {
          resource: { resourceType: 'Practitioner', id: 'd1', name: [{ prefix: ['Dr.'], given: ['Lena'], family: 'Weber' }] },
          search: { mode: 'include' as const },
        },
      ],
    });
    await done;
    return { store, http };
  }

  afterEach(() => TestBed.inject(HttpTestingController).verify());

  it('groups the medicines of one prescription (groupIdentifier) and names the prescriber', async () => {
    const { store } = await loaded([item('a', 'RX-1', 'Amlodipine'), item('b', 'RX-1', 'Metformin'), item('c', undefined, 'Ibuprofen')]);
    const prescriptions = store.prescriptions();
    expect(prescriptions.map((p) => p.lines.map((line) => line.medication))).toEqual([['Amlodipine', 'Metformin'], ['Ibuprofen']]);
    expect(prescriptions[0]).toMatchObject({ key: 'RX-1', requestId: 'a', prescriber: 'Dr. Lena Weber' });
    expect(prescriptions[0].lines[0].dosage).toBe('Once a day');
    expect(store.loading()).toBe(false);
  });

  it('fetches the signed PDF with $pdf and saves it', async () => {
    const { store, http } = await loaded([item('a', 'RX-1', 'Amlodipine')]);
    const created: Blob[] = [];
    URL.createObjectURL = (blob: Blob) => {
      created.push(blob);
      return 'blob:pdf';
    };
    URL.revokeObjectURL = () => undefined;
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const opening = store.openPdf(store.prescriptions()[0], true);
    const pdf = http.expectOne(`${BASE}/MedicationRequest/a/$pdf`);
    expect(pdf.request.method).toBe('GET');
    pdf.flush({ resourceType: 'Binary', contentType: 'application/pdf', data: btoa('%PDF-1.7 signed') });
    await opening;
    expect(clicked).toEqual(['prescription-RX-1.pdf']);
    expect(created[0].type).toBe('application/pdf');
    expect(await created[0].text()).toBe('%PDF-1.7 signed');
    click.mockRestore();
  });

  it('explains a refused PDF', async () => {
    const { store, http } = await loaded([item('a', 'RX-1', 'Amlodipine')]);
    const opening = store.openPdf(store.prescriptions()[0]);
    http.expectOne(`${BASE}/MedicationRequest/a/$pdf`).flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'not-found', diagnostics: 'MedicationRequest/a is not known' }],
      },
      { status: 404, statusText: 'Not Found' },
    );
    await opening;
    expect(store.error()).toMatch(/not known/);
    expect(store.busyKey()).toBeUndefined();
  });
});
