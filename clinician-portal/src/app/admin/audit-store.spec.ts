import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { AuditStore } from './audit-store';

const BASE = 'http://medbuddy.test/fhir';

function event(id: string): AuditEvent {
  return { resourceType: 'AuditEvent', id, recorded: '2026-11-25T10:00:00Z', type: { code: 'rest' }, agent: [], source: { observer: {} } };
}

function page(ids: string[], next?: string): Bundle<AuditEvent> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: next ? [{ relation: 'next', url: next }] : [],
    entry: ids.map((id) => ({ resource: event(id), search: { mode: 'match' } })),
  };
}

describe('AuditStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        AuditStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    return { store: TestBed.inject(AuditStore), http: TestBed.inject(HttpTestingController) };
  }

  it('sends the filters as AuditEvent search parameters, newest first', async () => {
    const { store, http } = setUp();
    const searched = store.search({
      from: '2026-11-01',
      to: '2026-11-25',
      agent: 'Practitioner/d1',
      patient: ' Patient/p1 ',
      type: 'rest',
    });
    const request = http.expectOne((r) => r.url === `${BASE}/AuditEvent`);
    const params = request.request.params;
    expect(params.getAll('date')).toEqual(['ge2026-11-01', 'le2026-11-25']);
    expect(params.get('agent')).toBe('Practitioner/d1');
    expect(params.get('patient')).toBe('Patient/p1');
    expect(params.get('type')).toBe('rest');
    expect(params.get('_sort')).toBe('-date');
    request.flush(page(['a1']));
    await searched;
    expect(store.events().map((e) => e.id)).toEqual(['a1']);
    expect(store.hasNext()).toBe(false);
    http.verify();
  });

  it('leaves out empty filters', async () => {
    const { store, http } = setUp();
    const searched = store.search({ agent: '', type: '  ' });
    const request = http.expectOne((r) => r.url === `${BASE}/AuditEvent`);
    expect(request.request.params.keys().sort()).toEqual(['_count', '_sort']);
    request.flush(page([]));
    await searched;
  });

  it('pages forward with the next link and back without a request', async () => {
    const { store, http } = setUp();
    const searched = store.search({});
    http.expectOne((r) => r.url === `${BASE}/AuditEvent`).flush(page(['a1'], `${BASE}/AuditEvent?page=2`));
    await searched;
    expect(store.hasNext()).toBe(true);
    const next = store.next();
    http.expectOne(`${BASE}/AuditEvent?page=2`).flush(page(['a2']));
    await next;
    expect(store.events().map((e) => e.id)).toEqual(['a2']);
    expect(store.pageNumber()).toBe(2);
    expect(store.hasPrevious()).toBe(true);
    store.previous();
    expect(store.events().map((e) => e.id)).toEqual(['a1']);
    http.verify();
  });

  it("shows the server's message when the search is refused", async () => {
    const { store, http } = setUp();
    const searched = store.search({});
    http
      .expectOne((r) => r.url === `${BASE}/AuditEvent`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'Administrators only' }] },
        { status: 403, statusText: 'Forbidden' },
      );
    await searched;
    expect(store.error()).toBe('Administrators only.');
    expect(store.events()).toEqual([]);
  });

  it('exports every page of the filter shown, following next links', async () => {
    const { store, http } = setUp();
    const searched = store.search({ patient: 'Patient/p1', outcome: '8' });
    const first = http.expectOne((r) => r.url === `${BASE}/AuditEvent`);
    expect(first.request.params.get('outcome')).toBe('8');
    first.flush(page(['a1']));
    await searched;

    const exported = store.export('ndjson');
    const all = http.expectOne((r) => r.url === `${BASE}/AuditEvent` && r.params.get('_count') === '1000');
    expect(all.request.params.get('patient')).toBe('Patient/p1');
    expect(all.request.params.get('outcome')).toBe('8');
    all.flush(page(['a1', 'a2'], `${BASE}/AuditEvent?page=2`));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.exportProgress()).toBe(2);
    http.expectOne(`${BASE}/AuditEvent?page=2`).flush(page(['a3']));
    const result = await exported;
    expect(result?.count).toBe(3);
    expect(result?.truncated).toBe(false);
    expect(result?.blob.type).toBe('application/fhir+ndjson');
    expect(
      (await result?.blob.text())
        ?.trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).toEqual(['a1', 'a2', 'a3']);
    expect(store.exportProgress()).toBeUndefined();
    http.verify();
  });

  it('opens and closes the detail of one event', async () => {
    const { store, http } = setUp();
    const searched = store.search({});
    http.expectOne((r) => r.url === `${BASE}/AuditEvent`).flush(page(['a1']));
    await searched;
    store.select(store.events()[0]);
    expect(store.selected()?.id).toBe('a1');
    store.select(undefined);
    expect(store.selected()).toBeUndefined();
  });
});
