import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Encounter } from '@medplum/fhirtypes';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { LIVE_UPDATE_INTERVAL_MS } from './live-updates';
import { PollingLiveUpdates } from './polling-live-updates';

const BASE = 'http://medbuddy.test/fhir';
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const until = async (condition: () => boolean) => {
  while (!condition()) {
    await wait(5);
  }
};

describe('LiveUpdates (polling)', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: LIVE_UPDATE_INTERVAL_MS, useValue: 10 },
      ],
    });
    return { live: TestBed.inject(PollingLiveUpdates), http: TestBed.inject(HttpTestingController) };
  }

  const encounter = (versionId: string, lastUpdated: string, status: Encounter['status']): Encounter => ({
    resourceType: 'Encounter',
    id: 'e1',
    meta: { versionId, lastUpdated },
    status,
    class: { code: 'VR' },
  });
  const bundle = (...resources: Encounter[]) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    entry: resources.map((resource) => ({ resource })),
  });

  it('asks again with _lastUpdated from the newest change seen, and emits each version once', async () => {
    const { live, http } = setUp();
    const batches: Encounter[][] = [];
    const arrived = new Date(Date.now() + 1_000).toISOString();
    const admitted = new Date(Date.now() + 2_000).toISOString();
    const subscription = live.changes('Encounter', { _id: 'e1' }).subscribe((batch) => batches.push(batch));

    await wait(20);
    const first = http.expectOne((r) => r.url === `${BASE}/Encounter`);
    expect(first.request.params.get('_id')).toBe('e1');
    expect(first.request.params.get('_lastUpdated')).toMatch(/^ge\d{4}-/);
    first.flush(bundle(encounter('1', arrived, 'arrived')));

    await wait(20);
    const second = http.expectOne((r) => r.url === `${BASE}/Encounter`);
    expect(second.request.params.get('_lastUpdated')).toBe(`ge${arrived}`);
    // The same version again (the bound is inclusive), and then the doctor admits.
    second.flush(bundle(encounter('1', arrived, 'arrived')));
    await wait(20);
    http.expectOne((r) => r.url === `${BASE}/Encounter`).flush(bundle(encounter('2', admitted, 'in-progress')));

    subscription.unsubscribe();
    expect(batches.map((batch) => batch.map((e) => e.status))).toEqual([['arrived'], ['in-progress']]);
  });

  it('skips a failed check (offline, a server error) and tries again', async () => {
    const { live, http } = setUp();
    const batches: Encounter[][] = [];
    const subscription = live.changes('Encounter', { _id: 'e1' }).subscribe((batch) => batches.push(batch));
    await wait(20);
    http.expectOne((r) => r.url === `${BASE}/Encounter`).error(new ProgressEvent('error'));
    await wait(20);
    http.expectOne((r) => r.url === `${BASE}/Encounter`).flush(bundle(encounter('2', '2026-11-25T10:05:00.000Z', 'in-progress')));
    subscription.unsubscribe();
    expect(batches).toHaveLength(1);
  });

  it('does not ask while the page is in the background, and catches up when it is shown again', async () => {
    const { live, http } = setUp();
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    const batches: Encounter[][] = [];
    const subscription = live.changes('Encounter', { _id: 'e1' }).subscribe((batch) => batches.push(batch));
    await wait(40);
    http.expectNone((r) => r.url === `${BASE}/Encounter`);
    visibility.mockReturnValue('visible');
    await wait(20);
    http
      .expectOne((r) => r.url === `${BASE}/Encounter`)
      .flush(bundle(encounter('2', new Date(Date.now() + 1_000).toISOString(), 'in-progress')));
    subscription.unsubscribe();
    visibility.mockRestore();
    expect(batches).toHaveLength(1);
  });

  it('repeats work at each check, except while paused, while a run is unfinished, and after a failure', async () => {
    const { live } = setUp();
    let paused = false;
    let runs = 0;
    let finish: (() => void) | undefined;
    const subscription = live
      .repeat(
        () => {
          runs++;
          if (runs === 1) {
            return Promise.reject(new Error('offline'));
          }
          return new Promise<void>((resolve) => (finish = resolve));
        },
        () => paused,
      )
      .subscribe();
    await until(() => runs === 2); // the failed first run did not stop the checks
    await wait(40);
    expect(runs).toBe(2); // the second run has not ended: the checks meanwhile are skipped
    finish?.();
    paused = true;
    await wait(40);
    expect(runs).toBe(2);
    paused = false;
    await until(() => runs > 2);
    subscription.unsubscribe();
  });
});
