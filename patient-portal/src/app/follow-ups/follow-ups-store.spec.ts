import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Appointment, Parameters, ServiceRequest, Slot } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { LIVE_UPDATE_INTERVAL_MS } from '../shared/live-updates/live-updates';
import { nextRequest } from '../shared/live-updates/polling-testing';
import { windowEnd } from './follow-ups-api';
import { FollowUpsStore } from './follow-ups-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const DAY = 24 * 3_600_000;
/** The ids of the free times offered for a follow-up. */
const offeredIds = (store: FollowUpsStore, requestId: string) =>
  store
    .slots()
    .get(requestId)
    ?.map((s) => s.id);

function followUp(id: string): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id,
    status: 'active',
    intent: 'proposal',
    code: { coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/consultation-type', code: 'follow-up' }] },
    subject: { reference: 'Patient/p1' },
    requester: { reference: 'Practitioner/d1' },
    occurrencePeriod: { start: new Date(Date.now() + DAY).toISOString(), end: new Date(Date.now() + 14 * DAY).toISOString() },
    patientInstruction: 'Check your blood pressure',
  };
}

function slot(id: string, inDays: number): Slot {
  const start = new Date(Date.now() + inDays * DAY);
  return {
    resourceType: 'Slot',
    id,
    status: 'free',
    schedule: { reference: 'Schedule/s1' },
    start: start.toISOString(),
    end: start.toISOString(),
  };
}

const bundle = (resources: unknown[], included: unknown[] = []) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [
    ...resources.map((resource) => ({ resource, search: { mode: 'match' } })),
    ...included.map((resource) => ({ resource, search: { mode: 'include' } })),
  ],
});

describe('FollowUpsStore', () => {
  async function loaded(requests: ServiceRequest[], appointments: Appointment[], slots: Slot[], pollEveryMs?: number) {
    TestBed.configureTestingModule({
      providers: [
        ...(pollEveryMs ? [{ provide: LIVE_UPDATE_INTERVAL_MS, useValue: pollEveryMs }] : []),
        provideHttpClient(),
        provideHttpClientTesting(),
        FollowUpsStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const store = TestBed.inject(FollowUpsStore);
    const http = TestBed.inject(HttpTestingController);
    const done = store.load();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    const search = http.expectOne((r) => r.url === `${BASE}/ServiceRequest`);
    expect(search.request.params.get('subject')).toBe('Patient/p1');
    expect(search.request.params.get('status')).toBe('active');
    expect(search.request.params.get('code')).toBe('https://medbuddy.dev/fhir/CodeSystem/consultation-type|follow-up');
    expect(search.request.params.get('_revinclude')).toBe('Appointment:based-on');
    search.flush(
      bundle(requests, [
        { resourceType: 'Practitioner', id: 'd1', name: [{ prefix: ['Dr.'], given: ['Lena'], family: 'Weber' }] },
        ...appointments,
      ]),
    );
    await settle();
    const slotSearches = http.match((r) => r.url === `${BASE}/Slot`);
    for (const request of slotSearches) {
      request.flush(bundle(slots));
    }
    await done;
    return { store, http, slotSearches };
  }

  it('offers the free times of the recommending doctor inside the window', async () => {
    const { store, slotSearches } = await loaded([followUp('sr1')], [], [slot('s1', 2), slot('s2', 3)]);
    expect(slotSearches).toHaveLength(1);
    const params = slotSearches[0].request.params;
    expect(params.get('schedule.actor')).toBe('Practitioner/d1');
    expect(params.get('status')).toBe('free');
    expect(params.getAll('start')?.map((value) => value.slice(0, 2))).toEqual(['ge', 'lt']);
    expect(store.followUps()[0]).toMatchObject({ doctorName: 'Dr. Lena Weber', reason: 'Check your blood pressure' });
    expect(offeredIds(store, 'sr1')).toEqual(['s1', 's2']);
  });

  it('reads the free times again at each polling interval, so a time taken meanwhile disappears', async () => {
    const { store, http } = await loaded([followUp('sr1')], [], [slot('s1', 2), slot('s2', 3)], 20);
    const refresh = await nextRequest(http, (r) => r.url === `${BASE}/Slot`);
    expect(refresh.request.params.get('schedule.actor')).toBe('Practitioner/d1');
    refresh.flush(bundle([slot('s2', 3)]));
    await settle();
    expect(offeredIds(store, 'sr1')).toEqual(['s2']);
  });

  it('books in one $book call based on the recommendation', async () => {
    const { store, http } = await loaded([followUp('sr1')], [], [slot('s1', 2)]);
    const item = store.followUps()[0];
    const booking = store.book(item, store.slots().get('sr1')![0]);
    const book: TestRequest = http.expectOne(`${BASE}/Appointment/$book`);
    expect(book.request.method).toBe('POST');
    expect((book.request.body as Parameters).parameter).toEqual([
      { name: 'slot', valueString: 'Slot/s1' },
      { name: 'basedOn', valueString: 'ServiceRequest/sr1' },
      { name: 'reason', valueString: 'Follow-up' },
    ]);
    book.flush({
      resourceType: 'Appointment',
      id: 'a1',
      status: 'booked',
      start: slot('s1', 2).start,
      participant: [],
      basedOn: [{ reference: 'ServiceRequest/sr1' }],
    });
    expect(await booking).toBe(true);
    expect(store.followUps()[0].appointment?.id).toBe('a1');
    expect(store.message()).toMatch(/^Your follow-up with Dr. Lena Weber is booked for /);
    http.verify();
  });

  it('on a time taken meanwhile (409) explains it and offers the times again', async () => {
    const { store, http } = await loaded([followUp('sr1')], [], [slot('s1', 2), slot('s2', 3)]);
    const booking = store.book(store.followUps()[0], store.slots().get('sr1')![0]);
    http
      .expectOne(`${BASE}/Appointment/$book`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'Slot/s1 is no longer free' }] },
        { status: 409, statusText: 'Conflict' },
      );
    await settle();
    http.expectOne((r) => r.url === `${BASE}/Slot`).flush(bundle([slot('s2', 3)]));
    expect(await booking).toBe(false);
    expect(store.error()).toMatch(/no longer free/);
    expect(offeredIds(store, 'sr1')).toEqual(['s2']);
  });

  it('shows a recommendation already booked with its appointment, without offering times', async () => {
    const appointment: Appointment = {
      resourceType: 'Appointment',
      id: 'a1',
      status: 'booked',
      participant: [],
      basedOn: [{ reference: 'ServiceRequest/sr1' }],
    };
    const { store, slotSearches } = await loaded([followUp('sr1')], [appointment], []);
    expect(slotSearches).toHaveLength(0);
    expect(store.followUps()[0].appointment?.id).toBe('a1');
  });

  it('treats a date-only window end as the whole day', () => {
    expect(windowEnd('2026-12-31')).toBe('2027-01-01T00:00:00.000Z');
    expect(windowEnd('2026-12-31T12:00:00Z')).toBe('2026-12-31T12:00:00Z');
  });
});
