import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Bundle, Resource, Slot } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { emptyPracticeForm } from './practice-form';
import { groupByDay, PracticeStore } from './practice-store';

const BASE = 'http://medbuddy.test/fhir';

function bundle(...resources: Resource[]): Bundle {
  return { resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })) };
}

describe('PracticeStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        PracticeStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { fhirUser: signal('Practitioner/d1') } },
      ],
    });
    return { store: TestBed.inject(PracticeStore), http: TestBed.inject(HttpTestingController) };
  }

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  it('creates the role, then its schedule, then shows the slots the server generated', async () => {
    const { store, http } = setUp();
    const loaded = store.load();
    http.expectOne((r) => r.url === `${BASE}/PractitionerRole` && r.params.get('practitioner') === 'Practitioner/d1').flush(bundle());
    await loaded;
    expect(store.hasRole()).toBe(false);

    const saved = store.save({ ...emptyPracticeForm('UTC'), specialty: 'cardiology', fee: 50 });
    const create = http.expectOne({ method: 'POST', url: `${BASE}/PractitionerRole` });
    expect(create.request.body.availableTime).toHaveLength(2);
    create.flush({ ...create.request.body, id: 'r1', meta: { versionId: '1' } });
    await settle();
    const schedule = http.expectOne({ method: 'POST', url: `${BASE}/Schedule` });
    expect(schedule.request.body.actor).toEqual([{ reference: 'PractitionerRole/r1' }, { reference: 'Practitioner/d1' }]);
    schedule.flush({ ...schedule.request.body, id: 's1' });
    await settle();
    const slots = http.expectOne((r) => r.url === `${BASE}/Slot`);
    expect(slots.request.params.get('schedule')).toBe('Schedule/s1');
    slots.flush(
      bundle({ resourceType: 'Slot', id: 'x', status: 'free', schedule: {}, start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:30:00Z' }),
    );
    expect(await saved).toBe(true);
    expect(store.message()).toContain('Saved');
    expect(store.preview()).toEqual([{ day: 'Tue 1 Dec', slots: [expect.objectContaining({ id: 'x' })] }]);
    http.verify();
  });

  it('updates an existing role guarded by its version, and shows a refusal', async () => {
    const { store, http } = setUp();
    const loaded = store.load();
    http
      .expectOne((r) => r.url === `${BASE}/PractitionerRole`)
      .flush(bundle({ resourceType: 'PractitionerRole', id: 'r1', meta: { versionId: '4' } }));
    await settle();
    http.expectOne((r) => r.url === `${BASE}/Schedule`).flush(bundle({ resourceType: 'Schedule', id: 's1', actor: [] }));
    await settle();
    http.expectOne((r) => r.url === `${BASE}/Slot`).flush(bundle());
    await loaded;

    const saved = store.save({ ...emptyPracticeForm('UTC'), specialty: 'cardiology', fee: 50 });
    const update = http.expectOne({ method: 'PUT', url: `${BASE}/PractitionerRole/r1` });
    expect(update.request.headers.get('If-Match')).toBe('W/"4"');
    update.flush(
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Unknown IANA time zone "Mars"' }] },
      { status: 400, statusText: 'Bad Request' },
    );
    expect(await saved).toBe(false);
    expect(store.error()).toBe('Unknown IANA time zone "Mars".');
    http.verify();
  });

  it('does not send a form with problems', async () => {
    const { store, http } = setUp();
    expect(await store.save(emptyPracticeForm('UTC'))).toBe(false);
    expect(store.error()).toContain('Choose a specialty.');
    http.verify();
  });

  it('groups slots by local day in the time zone', () => {
    const slot = (start: string): Slot => ({ resourceType: 'Slot', status: 'free', schedule: {}, start, end: start });
    const days = groupByDay([slot('2026-12-01T22:30:00Z'), slot('2026-12-01T23:30:00Z')], 'Europe/Berlin');
    expect(days.map((d) => [d.day, d.slots.length])).toEqual([
      ['Tue 1 Dec', 1],
      ['Wed 2 Dec', 1],
    ]);
  });
});
