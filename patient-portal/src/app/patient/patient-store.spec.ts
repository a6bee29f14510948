import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Patient } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { PatientStore } from './patient-store';
import { browserTimeZone, TIME_ZONE_EXTENSION } from './time-zone';

const BASE = 'http://medbuddy.test/fhir';

describe('PatientStore', () => {
  function setUp(patientId: string | undefined) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal(patientId) } },
      ],
    });
    return { store: TestBed.inject(PatientStore), http: TestBed.inject(HttpTestingController) };
  }

  it('reads the patient in context once, and its time zone (the browser zone until chosen)', async () => {
    const { store, http } = setUp('p1');
    const loaded = store.load();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1', name: [{ given: ['Maria'], family: 'Garcia' }] });
    await loaded;
    expect(store.displayName()).toBe('Maria Garcia');
    expect(store.reference()).toBe('Patient/p1');
    expect(store.timeZone()).toBe(browserTimeZone());
    await store.load();
    http.verify();
  });

  it('saves with the version read as If-Match and keeps what the server returned', async () => {
    const { store, http } = setUp('p1');
    const patient: Patient & { id: string } = {
      resourceType: 'Patient',
      id: 'p1',
      meta: { versionId: '3' },
      extension: [{ url: TIME_ZONE_EXTENSION, valueCode: 'Asia/Tokyo' }],
    };
    const saved = store.save(patient);
    const request = http.expectOne(`${BASE}/Patient/p1`);
    expect(request.request.method).toBe('PUT');
    expect(request.request.headers.get('If-Match')).toBe('W/"3"');
    request.flush({ ...patient, meta: { versionId: '4' } });
    await saved;
    expect(store.timeZone()).toBe('Asia/Tokyo');
    expect(store.patient()?.meta?.versionId).toBe('4');
  });

  it('refuses without a patient in context', async () => {
    const { store } = setUp(undefined);
    await expect(store.load()).rejects.toThrow('not linked to a patient record');
  });
});
