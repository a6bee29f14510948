import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AuthStore } from '../../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { freeSlot, WEBER, WEBER_ROLE } from '../doctor-testing';
import { BookingStore } from './booking-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('BookingStore', () => {
  const first = freeSlot('s1', new Date(Date.now() + 86_400_000).toISOString());
  const second = freeSlot('s2', new Date(Date.now() + 2 * 86_400_000).toISOString());

  async function loaded() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        BookingStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const store = TestBed.inject(BookingStore);
    const http = TestBed.inject(HttpTestingController);
    const done = store.load('r1');
    http
      .expectOne((r) => r.url === `${BASE}/PractitionerRole`)
      .flush({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: WEBER_ROLE }, { resource: WEBER, search: { mode: 'include' } }],
      });
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    answerSlots(http, [first, second]);
    await done;
    return { store, http };
  }

  function answerSlots(http: HttpTestingController, slots: ReturnType<typeof freeSlot>[]) {
    const request = http.expectOne((r) => r.url === `${BASE}/Slot`);
    expect(request.request.params.get('schedule.actor')).toBe('Practitioner/d1');
    request.flush({ resourceType: 'Bundle', type: 'searchset', entry: slots.map((resource) => ({ resource })) });
  }

  it('loads the doctor and the free times of the next two weeks', async () => {
    const { store } = await loaded();
    expect(store.doctor()?.name).toBe('Dr. Lukas Weber');
    expect(store.slots().map((slot) => slot.id)).toEqual(['s1', 's2']);
    expect(store.loading()).toBe(false);
  });

  it('books the held slot for the patient in context', async () => {
    const { store, http } = await loaded();
    const picked = store.pick(first);
    http.expectOne(`${BASE}/Slot/s1`).flush(first);
    await picked;
    expect(store.selected()?.id).toBe('s1');
    const booked = store.confirm(undefined, '');
    http.expectOne(`${BASE}/Slot/s1`).flush(first);
    await settle();
    const create = http.expectOne(`${BASE}/Appointment`);
    expect(create.request.body.participant[0].actor.reference).toBe('Patient/p1');
    create.flush({ ...create.request.body, id: 'a1' });
    expect((await booked)?.id).toBe('a1');
  });

  it('explains a slot taken meanwhile and shows the refreshed free times', async () => {
    const { store, http } = await loaded();
    const picked = store.pick(first);
    http.expectOne(`${BASE}/Slot/s1`).flush(first);
    await picked;
    const booked = store.confirm(undefined, '');
    http.expectOne(`${BASE}/Slot/s1`).flush({ resourceType: 'OperationOutcome', issue: [] }, { status: 404, statusText: 'Not Found' });
    await settle();
    answerSlots(http, [second]);
    expect(await booked).toBeUndefined();
    expect(store.notice()).toBe('Someone else has just booked this time. Please pick another one.');
    expect(store.selected()).toBeUndefined();
    expect(store.slots().map((slot) => slot.id)).toEqual(['s2']);
    http.verify();
  });
});
