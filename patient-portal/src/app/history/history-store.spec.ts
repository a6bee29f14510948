import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Resource } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { HistoryStore } from './history-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const doctor = { reference: 'Practitioner/d1' };
const div = (text: string) => ({ status: 'generated' as const, div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${text}</p></div>` });

const FIRST_PAGE: Resource[] = [
  {
    resourceType: 'DocumentReference',
    id: 'lab',
    status: 'current',
    date: '2026-12-02T10:00:00Z',
    content: [{ attachment: { title: 'Blood panel' } }],
    category: [{ text: 'Laboratory' }],
  },
  {
    resourceType: 'Encounter',
    id: 'e1',
    status: 'finished',
    class: { code: 'VR' },
    participant: [{ individual: doctor }],
    reasonCode: [{ text: 'High blood pressure' }],
    period: { start: '2026-11-20T09:00:00Z', end: '2026-11-20T09:20:00Z' },
  },
  {
    resourceType: 'Composition',
    id: 'signed',
    status: 'final',
    type: { text: 'Consult note' },
    date: '2026-11-20T09:10:00Z',
    author: [doctor],
    title: 'Consultation note',
    section: [{ title: 'Plan', text: div('Amlodipine daily') }],
  },
  {
    resourceType: 'Composition',
    id: 'draft',
    status: 'preliminary',
    type: { text: 'Consult note' },
    date: '2026-11-20T09:12:00Z',
    author: [doctor],
    title: 'Draft',
  },
];
const SECOND_PAGE: Resource[] = [
  {
    resourceType: 'MedicationRequest',
    id: 'rx',
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    requester: doctor,
    medicationCodeableConcept: { text: 'Amlodipine 5 mg' },
    authoredOn: '2026-11-20T09:15:00Z',
    dosageInstruction: [{ text: 'One tablet daily' }],
  },
];

describe('HistoryStore', () => {
  async function loaded() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        HistoryStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const store = TestBed.inject(HistoryStore);
    const http = TestBed.inject(HttpTestingController);
    const done = store.load();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    const everything = http.expectOne((r) => r.url === `${BASE}/Patient/p1/$everything`);
    expect(everything.request.method).toBe('GET');
    expect(everything.request.params.get('_type')).toBe('Encounter,Composition,MedicationRequest,DocumentReference');
    expect(everything.request.params.get('_sort')).toBe('-timeline-date');
    everything.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'next', url: `${BASE}/Patient/p1/$everything?page=2` }],
      entry: FIRST_PAGE.map((resource) => ({ resource, search: { mode: 'match' } })),
    });
    await settle();
    http.expectOne(`${BASE}/Patient/p1/$everything?page=2`).flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: SECOND_PAGE.map((resource) => ({ resource, search: { mode: 'match' } })),
    });
    await settle();
    const doctors = http.expectOne((r) => r.url === `${BASE}/Practitioner`);
    expect(doctors.request.params.get('_id')).toBe('d1');
    doctors.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { resourceType: 'Practitioner', id: 'd1', name: [{ prefix: ['Dr.'], family: 'Weber' }] } }],
    });
    await done;
    http.verify();
    return store;
  }

  it('reads every page, leaves drafts out, orders by date and names the doctor', async () => {
    const store = await loaded();
    const entries = store.visible();
    expect(entries.map((entry) => `${entry.kind}:${entry.title}`)).toEqual([
      'report:Blood panel',
      'prescription:Amlodipine 5 mg',
      'note:Consultation note',
      'consultation:High blood pressure',
    ]);
    expect(entries[2]).toMatchObject({ detail: 'Plan: Amlodipine daily', doctor: 'Dr. Weber' });
    expect(entries[3]).toMatchObject({ detail: 'Finished', finishedEncounterId: 'e1' });
    expect(store.counts().get('prescription')).toBe(1);
  });

  it('filters by kind and groups by month', async () => {
    const store = await loaded();
    store.shown.set(['consultation', 'note']);
    expect(store.visible().map((entry) => entry.kind)).toEqual(['note', 'consultation']);
    expect(store.months()).toHaveLength(1);
    store.shown.set(['report', 'note']);
    expect(store.months().map((month) => month.entries.length)).toEqual([1, 1]);
  });
});
