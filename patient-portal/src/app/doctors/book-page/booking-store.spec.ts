import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AuthStore } from '../../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { LIVE_UPDATE_INTERVAL_MS } from '../../shared/live-updates/live-updates';
import { nextRequest } from '../../shared/live-updates/polling-testing';
import { freeSlot, WEBER, WEBER_ROLE } from '../doctor-testing';
import { BookingStore } from './booking-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('BookingStore', () => {
  const first = freeSlot('s1', new Date(Date.now() + 86_400_000).toISOString());
  const second = freeSlot('s2', new Date(Date.now() + 2 * 86_400_000).toISOString());

  async function loaded(reschedule?: string, pollEveryMs?: number) {
    TestBed.configureTestingModule({
      providers: [
        ...(pollEveryMs ? [{ provide: LIVE_UPDATE_INTERVAL_MS, useValue: pollEveryMs }] : []),
        provideHttpClient(),
        provideHttpClientTesting(),
        BookingStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const store = TestBed.inject(BookingStore);
    const http = TestBed.inject(HttpTestingController);
    const done = store.load('r1', reschedule);
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

  it('reads the free times again at each polling interval, so a time taken meanwhile disappears', async () => {
    const { store, http } = await loaded(undefined, 20);
    const refresh = await nextRequest(http, (r) => r.url === `${BASE}/Slot`);
    expect(refresh.request.params.get('status')).toBe('free');
    refresh.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: second }] });
    await settle();
    expect(store.slots().map((slot) => slot.id)).toEqual(['s2']);
  });

  it('holds the picked time for the patient in context, then books it', async () => {
    const { store, http } = await loaded();
    const picked = store.pick(first);
    await settle();
    const hold = http.expectOne(`${BASE}/Appointment/$hold`);
    expect(hold.request.body.parameter[0].resource.participant[0].actor.reference).toBe('Patient/p1');
    hold.flush({ resourceType: 'Appointment', id: 'a1', status: 'pending', participant: [] });
    await picked;
    expect(store.selected()?.id).toBe('s1');
    const booked = store.confirm(undefined, '');
    const book = http.expectOne(`${BASE}/Appointment/$book`);
    expect(book.request.body.parameter[0].resource.slot).toEqual([{ reference: 'Slot/s1' }]);
    book.flush({ resourceType: 'Appointment', id: 'a1', status: 'booked', participant: [] });
    expect((await booked)?.id).toBe('a1');
    http.verify();
  });

  it('gives the held time back when the patient chooses another one, and reads the free times again', async () => {
    const { store, http } = await loaded();
    const picked = store.pick(first);
    await settle();
    http.expectOne(`${BASE}/Appointment/$hold`).flush({ resourceType: 'Appointment', id: 'a1', status: 'pending', participant: [] });
    await picked;
    const back = store.unpick();
    expect(store.selected()).toBeUndefined();
    http.expectOne(`${BASE}/Appointment/a1/$cancel`).flush({ resourceType: 'Appointment', id: 'a1', status: 'cancelled', participant: [] });
    await settle();
    answerSlots(http, [first, second]);
    await back;
    http.verify();
  });

  it('explains a slot taken meanwhile and shows the refreshed free times', async () => {
    const { store, http } = await loaded();
    const picked = store.pick(first);
    await settle();
    http
      .expectOne(`${BASE}/Appointment/$hold`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'Slot/s1 is not free' }] },
        { status: 409, statusText: 'Conflict' },
      );
    await settle();
    answerSlots(http, [second]);
    await picked;
    expect(store.notice()).toBe('Someone else has just booked this time. Please pick another one.');
    expect(store.selected()).toBeUndefined();
    expect(store.slots().map((slot) => slot.id)).toEqual(['s2']);
    http.verify();
  });

  it('reschedules: checks the new time, then moves the appointment with $reschedule (no hold)', async () => {
    const { store, http } = await loaded('old');
    const picked = store.pick(second);
    await settle();
    http.expectOne(`${BASE}/Slot/s2`).flush(second);
    await picked;
    const moved = store.confirm(undefined, '');
    http
      .expectOne(`${BASE}/Appointment/old/$reschedule`)
      .flush({ resourceType: 'Appointment', id: 'old', status: 'booked', participant: [] });
    expect((await moved)?.id).toBe('old');
    http.verify();
  });
});
