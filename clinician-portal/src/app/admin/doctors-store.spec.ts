import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Practitioner } from '@medplum/fhirtypes';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { DoctorsStore } from './doctors-store';

const BASE = 'http://medbuddy.test/fhir';
const doctor: Practitioner = { resourceType: 'Practitioner', id: 'd1', active: true, name: [{ family: 'Wilson' }] };

describe('DoctorsStore', () => {
  let store: DoctorsStore;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        DoctorsStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    store = TestBed.inject(DoctorsStore);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  async function loaded(): Promise<void> {
    const loading = store.load(' Wil ');
    const request = http.expectOne((r) => r.url === `${BASE}/Practitioner`);
    expect(request.request.params.get('active')).toBe('true');
    expect(request.request.params.get('name')).toBe('Wil');
    request.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: doctor, search: { mode: 'match' } }] });
    await loading;
  }

  it('suspends with $verify and counts the future appointments to follow up', async () => {
    await loaded();
    const suspended = store.suspend(doctor, ' Licence under review ');
    const request = http.expectOne({ method: 'POST', url: `${BASE}/Practitioner/d1/$verify` });
    expect(request.request.body.parameter).toEqual([
      { name: 'status', valueCode: 'suspended' },
      { name: 'reason', valueString: 'Licence under review' },
    ]);
    request.flush({
      resourceType: 'Parameters',
      parameter: [
        { name: 'futureAppointment', valueReference: { reference: 'Appointment/a1' } },
        { name: 'futureAppointment', valueReference: { reference: 'Appointment/a2' } },
      ],
    });
    expect(await suspended).toBe(true);
    expect(store.message()).toBe('Doctor suspended. 2 future appointments need follow-up.');
    expect(store.doctors()).toEqual([]);
  });

  it('asks for a reason before sending anything', async () => {
    await loaded();
    expect(await store.suspend(doctor, '  ')).toBe(false);
    expect(store.error()).toBe('Give a reason for the suspension.');
    expect(store.doctors()).toHaveLength(1);
  });
});
