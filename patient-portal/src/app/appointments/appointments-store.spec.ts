import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Appointment, Encounter } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { HOLD_RELEASED } from './appointment-holds';
import { AppointmentsStore } from './appointments-store';
import { LIVE_UPDATE_INTERVAL_MS, LiveUpdates } from '../shared/live-updates/live-updates';
import { PollingLiveUpdates } from '../shared/live-updates/polling-live-updates';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const DAY = 24 * 3_600_000;

function appointment(id: string, startInDays: number, status: Appointment['status'] = 'booked'): Appointment {
  const start = new Date(Date.now() + startInDays * DAY);
  return {
    resourceType: 'Appointment',
    id,
    meta: { versionId: '1' },
    status,
    start: start.toISOString(),
    end: new Date(start.getTime() + 20 * 60_000).toISOString(),
    participant: [
      { actor: { reference: 'Patient/p1' }, status: 'accepted' },
      { actor: { reference: 'Practitioner/d1', display: 'Dr. Weber' }, status: 'accepted' },
    ],
  };
}

describe('AppointmentsStore', () => {
  async function loaded(appointments: Appointment[], liveIntervalMs = 60_000, encounters: Encounter[] = []) {
    TestBed.configureTestingModule({
      providers: [
        { provide: LIVE_UPDATE_INTERVAL_MS, useValue: liveIntervalMs },
        // The stores' contract with LiveUpdates, over its simplest transport (the websocket one has its own spec).
        { provide: LiveUpdates, useExisting: PollingLiveUpdates },
        provideHttpClient(),
        provideHttpClientTesting(),
        AppointmentsStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const store = TestBed.inject(AppointmentsStore);
    const http = TestBed.inject(HttpTestingController);
    const done = store.load();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    const search = http.expectOne((r) => r.url === `${BASE}/Appointment`);
    expect(search.request.params.get('patient')).toBe('Patient/p1');
    expect(search.request.params.get('_include')).toBe('Appointment:practitioner');
    expect(search.request.params.get('_revinclude')).toBe('Encounter:appointment');
    search.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        ...appointments.map((resource) => ({ resource, search: { mode: 'match' as const } })),
        {
          resource: { resourceType: 'Practitioner', id: 'd1', name: [{ prefix: ['Dr.'], given: ['Lukas'], family: 'Weber' }] },
          search: { mode: 'include' as const },
        },
        ...encounters.map((resource) => ({ resource, search: { mode: 'include' as const } })),
      ],
    });
    await done;
    return { store, http };
  }

  it('splits upcoming (soonest first) from past and cancelled (latest first), with the doctor named', async () => {
    const { store } = await loaded([
      appointment('old', -10),
      appointment('older', -20, 'fulfilled'),
      appointment('next', 1),
      appointment('later', 5),
      appointment('dropped', 3, 'cancelled'),
      // Short holds from booking are not appointments of the patient's.
      appointment('held', 2, 'pending'),
      { ...appointment('released', 2, 'cancelled'), cancelationReason: { text: HOLD_RELEASED } },
    ]);
    expect(store.upcoming().map((item) => item.appointment.id)).toEqual(['next', 'later']);
    expect(store.past().map((item) => item.appointment.id)).toEqual(['dropped', 'old', 'older']);
    expect(store.upcoming()[0].doctorName).toBe('Dr. Lukas Weber');
  });

  it('cancels with Appointment/$cancel (reason in words and code), and the appointment moves to the past', async () => {
    const { store, http } = await loaded([appointment('next', 1)]);
    const item = store.upcoming()[0];
    expect(store.canCancel(item)).toBe(true);
    const cancelled = store.cancel(item, 'patient-schedule-conflict');
    const operation = http.expectOne(`${BASE}/Appointment/next/$cancel`);
    expect(operation.request.method).toBe('POST');
    expect(operation.request.body).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'reason', valueString: 'The time no longer suits me' },
        { name: 'reasonCode', valueCode: 'patient-schedule-conflict' },
      ],
    });
    operation.flush({
      ...appointment('next', 1, 'cancelled'),
      meta: { versionId: '2' },
      cancelationReason: {
        coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/cancellation-reason', code: 'patient-schedule-conflict' }],
      },
    });
    expect(await cancelled).toBe(true);
    expect(store.upcoming()).toEqual([]);
    expect(store.past()[0].appointment.status).toBe('cancelled');
    expect(store.message()).toBe('Your appointment is cancelled.');
  });

  it('explains a refused cancellation and keeps the appointment', async () => {
    const { store, http } = await loaded([appointment('next', 1)]);
    const cancelled = store.cancel(store.upcoming()[0]);
    http.expectOne(`${BASE}/Appointment/next/$cancel`).flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'business-rule', diagnostics: 'Appointments can be cancelled up to 24 hours before' }],
      },
      { status: 422, statusText: 'Unprocessable Entity' },
    );
    expect(await cancelled).toBe(false);
    expect(store.error()).toBe('Appointments can be cancelled up to 24 hours before.');
    expect(store.upcoming()).toHaveLength(1);
  });

  it('hears without a reload that the doctor is ready, and reloads the list when an appointment changed elsewhere', async () => {
    const soon: Appointment = { ...appointment('soon', 0), start: new Date(Date.now() + 5 * 60_000).toISOString() };
    soon.end = new Date(Date.parse(soon.start as string) + 20 * 60_000).toISOString();
    const { store, http } = await loaded([soon], 10);
    expect(store.canJoin(store.upcoming()[0])).toBe(true);
    expect(store.doctorReady()).toBeUndefined();

    await new Promise((resolve) => setTimeout(resolve, 30));
    const lastUpdated = new Date(Date.now() + 1_000).toISOString();
    http
      .expectOne((r) => r.url === `${BASE}/Encounter`)
      .flush({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [
          {
            resource: {
              resourceType: 'Encounter',
              id: 'e1',
              meta: { versionId: '2', lastUpdated },
              status: 'in-progress',
              class: { code: 'VR' },
              appointment: [{ reference: 'Appointment/soon' }],
            },
          },
        ],
      });
    expect(store.doctorReady()?.appointment.id).toBe('soon');

    const changes = http.expectOne((r) => r.url === `${BASE}/Appointment` && r.params.has('_lastUpdated'));
    expect(changes.request.params.get('patient')).toBe('Patient/p1');
    changes.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { ...soon, status: 'cancelled', meta: { versionId: '3', lastUpdated } } }],
    });
    await settle();
    const reload = http.expectOne((r) => r.url === `${BASE}/Appointment` && !r.params.has('_lastUpdated'));
    reload.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { ...soon, status: 'cancelled' } }] });
    await settle();
    expect(store.upcoming()).toEqual([]);
    expect(store.doctorReady()).toBeUndefined();
    TestBed.resetTestingModule();
  });

  it('knows the doctor is ready from the list itself (an in-progress consultation Encounter), e.g. after a reload', async () => {
    const { store } = await loaded([appointment('next', 0)], 60_000, [
      {
        resourceType: 'Encounter',
        id: 'e1',
        status: 'in-progress',
        class: { code: 'VR' },
        appointment: [{ reference: 'Appointment/next' }],
      },
    ]);
    expect(store.doctorReady()?.appointment.id).toBe('next');
  });

  it('offers a review of a past visit once its consultation Encounter is finished, not before', async () => {
    const encounter = (id: string, appointmentId: string, status: Encounter['status']): Encounter => ({
      resourceType: 'Encounter',
      id,
      status,
      class: { code: 'VR' },
      appointment: [{ reference: `Appointment/${appointmentId}` }],
    });
    const { store } = await loaded([appointment('seen', -2, 'fulfilled'), appointment('missed', -1, 'noshow')], 60_000, [
      encounter('e-seen', 'seen', 'finished'),
      encounter('e-missed', 'missed', 'cancelled'),
    ]);
    const byId = new Map(store.past().map((item) => [item.appointment.id, item]));
    expect(store.reviewableEncounter(byId.get('seen')!)).toBe('e-seen');
    expect(store.reviewableEncounter(byId.get('missed')!)).toBeUndefined();
  });
});
