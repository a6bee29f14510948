import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Appointment, Encounter } from '@medplum/fhirtypes';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { LIVE_UPDATE_INTERVAL_MS, LiveUpdates } from '../shared/live-updates/live-updates';
import { PollingLiveUpdates } from '../shared/live-updates/polling-live-updates';
import { VisitStore } from './visit-store';

const BASE = 'http://medbuddy.test/fhir';
const wait = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const MINUTE = 60_000;

function appointment(startsInMinutes: number): Appointment {
  const start = Date.now() + startsInMinutes * MINUTE;
  return {
    resourceType: 'Appointment',
    id: 'a1',
    status: 'booked',
    start: new Date(start).toISOString(),
    end: new Date(start + 20 * MINUTE).toISOString(),
    participant: [{ actor: { reference: 'Practitioner/d1', display: 'Dr. Lukas Weber' }, status: 'accepted' }],
  };
}

const encounter = (status: Encounter['status'], versionId: string): Encounter & { id: string } => ({
  resourceType: 'Encounter',
  id: 'e1',
  meta: { versionId, lastUpdated: new Date(Date.now() + Number(versionId)).toISOString() },
  status,
  class: { code: 'VR' },
});

describe('VisitStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        VisitStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: LIVE_UPDATE_INTERVAL_MS, useValue: 10 },
        // The stores' contract with LiveUpdates, over its simplest transport (the websocket one has its own spec).
        { provide: LiveUpdates, useExisting: PollingLiveUpdates },
      ],
    });
    return { store: TestBed.inject(VisitStore), http: TestBed.inject(HttpTestingController) };
  }

  function answerAppointment(http: HttpTestingController, resource: Appointment) {
    const search = http.expectOne((r) => r.url === `${BASE}/Appointment`);
    expect(search.request.params.get('_id')).toBe('a1');
    search.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource }] });
  }

  it('checks in, waits for the doctor, and is admitted when the Encounter becomes in-progress (no reload)', async () => {
    const { store, http } = setUp();
    const entered = store.enter('a1');
    answerAppointment(http, appointment(5));
    await wait();
    http.expectOne(`${BASE}/Appointment/a1/$check-in`).flush(encounter('arrived', '1'));
    await entered;
    expect(store.phase()).toBe('waiting');
    expect(store.consultation()?.doctorName).toBe('Dr. Lukas Weber');

    await wait(20);
    const watch = http.expectOne((r) => r.url === `${BASE}/Encounter`);
    expect(watch.request.params.get('_id')).toBe('e1');
    watch.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: encounter('in-progress', '2') }] });
    expect(store.phase()).toBe('admitted');

    const credentials = store.videoCredentials();
    http.expectOne(`${BASE}/Encounter/e1/$video-token`).flush({
      resourceType: 'Parameters',
      parameter: [
        { name: 'provider', valueCode: 'webrtc' },
        { name: 'token', valueString: 't' },
        { name: 'signallingUrl', valueUrl: 'ws://medbuddy.test/video/signal' },
        { name: 'iceServer', part: [{ name: 'urls', valueString: 'stun:stun.medbuddy.test' }] },
      ],
    });
    expect(await credentials).toMatchObject({ provider: 'webrtc', token: 't', iceServers: [{ urls: ['stun:stun.medbuddy.test'] }] });
    TestBed.resetTestingModule();
  });

  it('does not check in before the waiting room opens', async () => {
    const { store, http } = setUp();
    const entered = store.enter('a1');
    answerAppointment(http, appointment(60));
    await entered;
    expect(store.phase()).toBe('too-early');
    http.verify();
  });

  it('says why the server refused the check-in (its OperationOutcome)', async () => {
    const { store, http } = setUp();
    const entered = store.enter('a1');
    answerAppointment(http, appointment(5));
    await wait();
    http.expectOne(`${BASE}/Appointment/a1/$check-in`).flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'business-rule', diagnostics: 'Check-in closed at 2026-11-25T10:00:00Z' }],
      },
      { status: 422, statusText: 'Unprocessable Entity' },
    );
    await entered;
    expect(store.phase()).toBe('error');
    expect(store.error()).toContain('Check-in closed');
  });
});
