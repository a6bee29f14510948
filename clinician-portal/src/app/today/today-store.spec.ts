import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Appointment, Bundle, Encounter, Resource } from '@medplum/fhirtypes';
import { Subject } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { LiveUpdates } from '../shared/live-updates/live-updates';
import { TodayStore } from './today-store';

const BASE = 'http://medbuddy.test/fhir';

function bundle(matches: Resource[], included: Resource[] = []): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [
      ...matches.map((resource) => ({ resource, search: { mode: 'match' as const } })),
      ...included.map((resource) => ({ resource, search: { mode: 'include' as const } })),
    ],
  };
}

const appointment: Appointment = {
  resourceType: 'Appointment',
  id: 'a1',
  meta: { versionId: '3' },
  status: 'booked',
  start: '2026-12-20T09:00:00Z',
  participant: [
    { actor: { reference: 'Patient/p1' }, status: 'accepted' },
    { actor: { reference: 'Practitioner/d1' }, status: 'accepted' },
  ],
};
const arrived: Encounter = {
  resourceType: 'Encounter',
  id: 'e1',
  status: 'arrived',
  class: { code: 'VR' },
  appointment: [{ reference: 'Appointment/a1' }],
};

describe('TodayStore', () => {
  let store: TodayStore;
  let http: HttpTestingController;
  /** The changes LiveUpdates reports, by type, and the criteria each was asked for. */
  let changes: Record<string, Subject<Resource[]>>;
  let watched: [string, Record<string, unknown>][];

  beforeEach(() => {
    vi.useFakeTimers();
    changes = { Encounter: new Subject(), Appointment: new Subject() };
    watched = [];
    const live = {
      changes: (type: string, criteria: Record<string, unknown>) => {
        watched.push([type, criteria]);
        return changes[type];
      },
    };
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        TodayStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { fhirUser: signal('Practitioner/d1') } },
        { provide: LiveUpdates, useValue: live },
      ],
    });
    store = TestBed.inject(TodayStore);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    store.stopWatching();
    vi.useRealTimers();
    http.verify();
  });

  function answer(encounters: Encounter[]): void {
    const appointments = http.expectOne((r) => r.url === `${BASE}/Appointment`);
    expect(appointments.request.params.get('actor')).toBe('Practitioner/d1');
    expect(appointments.request.params.getAll('date')?.map((d) => d.slice(0, 2))).toEqual(['ge', 'lt']);
    appointments.flush(bundle([appointment], [{ resourceType: 'Patient', id: 'p1', name: [{ given: ['Rebecca'], family: 'Adler' }] }]));
    const waiting = http.expectOne((r) => r.url === `${BASE}/Encounter`);
    expect(waiting.request.params.get('participant')).toBe('Practitioner/d1');
    expect(waiting.request.params.get('status')).toBe('arrived,in-progress');
    waiting.flush(bundle(encounters));
  }

  it("lists the day's appointments with the patients' names, and reads them again when the doctor's encounters change", async () => {
    const started = store.start(new Date(2026, 11, 20, 8));
    answer([]);
    await started;
    expect(store.day().map((entry) => entry.patientName)).toEqual(['Rebecca Adler']);
    expect(store.waiting()).toEqual([]);
    expect(watched).toEqual([
      ['Encounter', { practitioner: 'Practitioner/d1' }],
      ['Appointment', { practitioner: 'Practitioner/d1' }],
    ]);

    // The patient checks in: the waiting room shows them, without a reload.
    changes['Encounter'].next([arrived]);
    answer([arrived]);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.waiting().map((entry) => entry.encounter?.id)).toEqual(['e1']);
  });

  it('reads the day once more after the reading under way when changes come meanwhile, not once per change', async () => {
    const started = store.start(new Date(2026, 11, 20, 8));
    answer([]);
    await started;
    changes['Encounter'].next([arrived]);
    changes['Appointment'].next([appointment]);
    changes['Encounter'].next([arrived]);
    // One reading in flight (answer expects exactly one request of each), not three.
    answer([]);
    await vi.advanceTimersByTimeAsync(0);
    answer([arrived]);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.waiting().map((entry) => entry.encounter?.id)).toEqual(['e1']);
    http.expectNone((r) => r.url === `${BASE}/Appointment`);
  });

  it('stops reading when the page closes', async () => {
    const started = store.start(new Date(2026, 11, 20, 8));
    answer([]);
    await started;
    store.stopWatching();
    changes['Encounter'].next([arrived]);
    http.expectNone((r) => r.url === `${BASE}/Appointment`);
  });

  it('admits with $admit and marks a no-show with a guarded patch', async () => {
    const started = store.refresh(new Date(2026, 11, 20, 8));
    answer([arrived]);
    await started;

    const admitted = store.admit(arrived);
    http.expectOne({ method: 'POST', url: `${BASE}/Encounter/e1/$admit` }).flush({ ...arrived, status: 'in-progress' });
    await vi.advanceTimersByTimeAsync(0);
    answer([{ ...arrived, status: 'in-progress' }]);
    expect(await admitted).toBe(true);
    expect(store.inProgress().map((entry) => entry.encounter?.id)).toEqual(['e1']);

    const marked = store.markNoShow(appointment);
    const patch = http.expectOne({ method: 'PATCH', url: `${BASE}/Appointment/a1` });
    expect(patch.request.body).toEqual([{ op: 'replace', path: '/status', value: 'noshow' }]);
    expect(patch.request.headers.get('If-Match')).toBe('W/"3"');
    patch.flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'business-rule', diagnostics: 'The appointment has not started' }],
      },
      { status: 422, statusText: 'Unprocessable Entity' },
    );
    expect(await marked).toBe(false);
    expect(store.error()).toBe('The appointment has not started.');
  });
});
