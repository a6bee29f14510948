import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Appointment, Bundle, BundleEntry, Encounter, Patient, PractitionerRole, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { CalendarStore, PAGE_SIZE } from './calendar-store';

const BASE = 'http://medbuddy.test/fhir';

function searchset(matches: Resource[], included: Resource[] = [], next?: string): Bundle {
  const entry: BundleEntry[] = [
    ...matches.map((resource) => ({ resource, search: { mode: 'match' as const } })),
    ...included.map((resource) => ({ resource, search: { mode: 'include' as const } })),
  ];
  return { resourceType: 'Bundle', type: 'searchset', entry, link: next ? [{ relation: 'next', url: next }] : [] };
}

const role: PractitionerRole = {
  resourceType: 'PractitionerRole',
  id: 'r1',
  practitioner: { reference: 'Practitioner/d1' },
  extension: [{ url: 'https://medbuddy.dev/fhir/StructureDefinition/timezone', valueCode: 'Europe/Berlin' }],
};
const schedule: Schedule = {
  resourceType: 'Schedule',
  id: 's1',
  actor: [{ reference: 'PractitionerRole/r1' }, { reference: 'Practitioner/d1' }],
};

function slot(id: string, start: string, status: Slot['status']): Slot {
  const end = new Date(Date.parse(start) + 30 * 60_000).toISOString();
  return { resourceType: 'Slot', id, schedule: { reference: 'Schedule/s1' }, start, end, status };
}

function appointment(id: string, slotId: string, status: Appointment['status'], patient = 'Patient/p1', display?: string): Appointment {
  return {
    resourceType: 'Appointment',
    id,
    status,
    slot: [{ reference: `Slot/${slotId}` }],
    participant: [
      { actor: { reference: patient, display }, status: 'accepted' },
      { actor: { reference: 'Practitioner/d1' }, status: 'accepted' },
    ],
  };
}

describe('CalendarStore', () => {
  function setUp(fhirUser = 'Practitioner/d1') {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        CalendarStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { fhirUser: signal(fhirUser) } },
      ],
    });
    return { store: TestBed.inject(CalendarStore), http: TestBed.inject(HttpTestingController) };
  }

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  async function loadRole(store: CalendarStore, http: HttpTestingController): Promise<void> {
    const loaded = store.load();
    const request = http.expectOne((r) => r.url === `${BASE}/PractitionerRole`);
    expect(request.request.params.get('practitioner')).toBe('Practitioner/d1');
    expect(request.request.params.get('_revinclude')).toBe('Schedule:actor');
    request.flush(searchset([role], [schedule]));
    await loaded;
  }

  function expectSlotSearch(http: HttpTestingController): TestRequest {
    return http.expectOne((r) => r.url === `${BASE}/Slot`);
  }

  it("reads a week of the doctor's slots between the zone's midnights, with appointments, patients and encounters", async () => {
    const { store, http } = setUp();
    await loadRole(store, http);
    expect(store.timeZone()).toBe('Europe/Berlin');
    expect(store.hasSchedule()).toBe(true);

    const shown = store.show('week', '2026-12-02');
    const request = expectSlotSearch(http);
    const params = request.request.params;
    expect(params.get('schedule')).toBe('Schedule/s1');
    // Monday 30 November 00:00 to Monday 7 December 00:00 in Berlin (UTC+1).
    expect(params.getAll('start')).toEqual(['ge2026-11-29T23:00:00.000Z', 'lt2026-12-06T23:00:00.000Z']);
    expect(params.has('_sort')).toBe(false);
    expect(params.get('_count')).toBe(String(PAGE_SIZE));
    expect(params.get('_revinclude')).toBe('Appointment:slot');
    expect(params.get('_include:iterate')).toBe('Appointment:patient:Patient');
    expect(params.get('_revinclude:iterate')).toBe('Encounter:appointment:Appointment');

    const patient: Patient = { resourceType: 'Patient', id: 'p1', name: [{ given: ['Rebecca'], family: 'Adler' }] };
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: 'e1',
      status: 'arrived',
      class: { code: 'VR' },
      appointment: [{ reference: 'Appointment/a2' }],
    };
    request.flush(
      searchset(
        [
          slot('free1', '2026-11-30T08:00:00Z', 'free'),
          slot('held1', '2026-11-30T08:30:00Z', 'busy-tentative'),
          slot('booked1', '2026-11-30T23:30:00Z', 'busy'),
          slot('off1', '2026-12-03T10:00:00Z', 'busy-unavailable'),
        ],
        [
          appointment('a0', 'booked1', 'cancelled', 'Patient/p9'),
          appointment('a2', 'booked1', 'booked'),
          appointment('a1', 'held1', 'pending'),
          patient,
          encounter,
        ],
      ),
    );
    await shown;
    expect(store.loading()).toBe(false);
    const days = store.days();
    expect(days.map((d) => d.date)).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
    ]);
    expect(days[0].label).toBe('Monday 30 November');
    expect(days[0].slots.map((s) => [s.time, s.endTime, s.state])).toEqual([
      ['09:00', '09:30', 'free'],
      ['09:30', '10:00', 'held'],
    ]);
    // 23:30 UTC on Monday is 00:30 on Tuesday in Berlin.
    expect(days[1].slots).toEqual([
      expect.objectContaining({
        id: 'booked1',
        time: '00:30',
        state: 'booked',
        patientName: 'Rebecca Adler',
        patientId: 'p1',
        encounterId: 'e1',
      }),
    ]);
    expect(days[0].slots[1].patientName).toBeUndefined();
    expect(days[3].slots[0].state).toBe('unavailable');
    expect(store.counts()).toEqual({ free: 1, held: 1, booked: 1, unavailable: 1 });
    expect(store.title()).toMatch(/^30 Nov\s*[–-]\s*6 Dec 2026$/);
    http.verify();
  });

  it('follows next links until the range is read', async () => {
    const { store, http } = setUp();
    await loadRole(store, http);
    const shown = store.show('day', '2026-12-01');
    const first = expectSlotSearch(http);
    expect(first.request.params.getAll('start')).toEqual(['ge2026-11-30T23:00:00.000Z', 'lt2026-12-01T23:00:00.000Z']);
    first.flush(searchset([slot('x1', '2026-12-01T08:00:00Z', 'free')], [], `${BASE}/Slot?_cursor=abc`));
    await settle();
    const second = http.expectOne(`${BASE}/Slot?_cursor=abc`);
    second.flush(
      searchset([slot('x2', '2026-12-01T07:00:00Z', 'busy')], [appointment('a1', 'x2', 'booked', 'Patient/p2', 'R. Adler (display)')]),
    );
    await shown;
    expect(store.days()).toHaveLength(1);
    // The patient was not included (not readable): the appointment's display stands in.
    // Pages come in id order: the day is put in start order here.
    expect(store.days()[0].slots.map((s) => [s.id, s.state, s.patientName])).toEqual([
      ['x2', 'booked', 'R. Adler (display)'],
      ['x1', 'free', undefined],
    ]);
    http.verify();
  });

  it('keeps the latest view when an earlier request answers late', async () => {
    const { store, http } = setUp();
    await loadRole(store, http);
    const slow = store.show('day', '2026-12-01');
    const fast = store.show('day', '2026-12-02');
    const [first, second] = http.match((r) => r.url === `${BASE}/Slot`);
    second.flush(searchset([slot('new', '2026-12-02T08:00:00Z', 'free')]));
    await fast;
    first.flush(searchset([slot('old', '2026-12-01T08:00:00Z', 'free')]));
    await slow;
    expect(store.date()).toBe('2026-12-02');
    expect(store.days()[0].slots.map((s) => s.id)).toEqual(['new']);
    expect(store.loading()).toBe(false);
  });

  it('says what failed, and has nothing to show without a schedule', async () => {
    const { store, http } = setUp();
    await loadRole(store, http);
    const shown = store.show('week', '2026-12-01');
    expectSlotSearch(http).flush(
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'Not allowed' }] },
      { status: 403, statusText: 'Forbidden' },
    );
    await shown;
    expect(store.error()).toContain('Not allowed');
    expect(store.days().every((d) => d.slots.length === 0)).toBe(true);

    TestBed.resetTestingModule();
    const other = setUp();
    const loaded = other.store.load();
    other.http.expectOne((r) => r.url === `${BASE}/PractitionerRole`).flush(searchset([]));
    await loaded;
    expect(other.store.hasSchedule()).toBe(false);
    expect(other.store.timeZone()).toBe('UTC');
    await other.store.show('week', '2026-12-01');
    other.http.expectNone((r) => r.url === `${BASE}/Slot`);
    other.http.verify();
  });

  it('gives today in the doctor zone, not the browser zone', async () => {
    const { store, http } = setUp();
    await loadRole(store, http);
    expect(store.today(new Date('2026-11-30T23:30:00Z'))).toBe('2026-12-01');
  });
});
