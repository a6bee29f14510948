import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Encounter, Subscription } from '@medplum/fhirtypes';
import { AuthStore } from '../../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { LIVE_UPDATE_INTERVAL_MS, LiveUpdates } from './live-updates';
import { LIVE_RECONNECT_DELAY_MS, OPEN_WEB_SOCKET } from './websocket-live-updates';

const BASE = 'http://medbuddy.test/fhir';
const WS_URL = 'ws://medbuddy.test/subscriptions/ws';
const CRITERIA = 'Encounter?patient=Patient/p1';
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The browser's WebSocket as the transport uses it: the test plays the server. */
class FakeSocket {
  readonly sent: string[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor(readonly url: string) {}
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.();
  }
  receive(text: string) {
    this.onmessage?.({ data: text });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

describe('LiveUpdates (Subscription websocket)', () => {
  /** The polling interval is long unless a test is about polling: checks then come from the socket only. */
  function setUp(pollingMs = 60_000, auth: { patient?: string; fhirUser?: string } = { patient: 'p1', fhirUser: 'Patient/p1' }) {
    const sockets: FakeSocket[] = [];
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal(auth.patient), fhirUser: signal(auth.fhirUser) } },
        { provide: LIVE_UPDATE_INTERVAL_MS, useValue: pollingMs },
        { provide: LIVE_RECONNECT_DELAY_MS, useValue: 10 },
        {
          provide: OPEN_WEB_SOCKET,
          useValue: (url: string) => {
            const socket = new FakeSocket(url);
            sockets.push(socket);
            return socket;
          },
        },
      ],
    });
    return { live: TestBed.inject(LiveUpdates), http: TestBed.inject(HttpTestingController), sockets };
  }

  const capability = (websocket: boolean) => ({
    resourceType: 'CapabilityStatement',
    rest: [
      {
        mode: 'server',
        extension: websocket ? [{ url: 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket', valueUrl: WS_URL }] : [],
      },
    ],
  });
  const bundle = (...resources: object[]) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    entry: resources.map((resource) => ({ resource })),
  });
  const encounter = (versionId: string, status: Encounter['status']): Encounter => ({
    resourceType: 'Encounter',
    id: 'e1',
    meta: { versionId, lastUpdated: new Date(Date.now() + Number(versionId) * 1_000).toISOString() },
    status,
    class: { code: 'VR' },
  });
  const subscription = (id: string, status: Subscription['status'], criteria = CRITERIA): Subscription => ({
    resourceType: 'Subscription',
    id,
    status,
    reason: 'live',
    criteria,
    channel: { type: 'websocket' },
  });
  const bindingToken = (token: string, id: string) => ({
    resourceType: 'Parameters',
    parameter: [
      { name: 'token', valueString: token },
      { name: 'subscription', valueString: `Subscription/${id}` },
      { name: 'websocket-url', valueUrl: WS_URL },
    ],
  });
  /**
   * The searches asked and still awaited. On a slow machine a poll may start before the test
   * refuses the channel; switching to plain polling then cancels it, and it does not count.
   */
  const openSearches = (http: HttpTestingController): TestRequest[] =>
    http.match((r) => r.url === `${BASE}/Encounter`).filter((search) => !search.cancelled);
  const encounterSearch = (http: HttpTestingController): TestRequest => {
    const searches = openSearches(http);
    expect(searches).toHaveLength(1);
    return searches[0];
  };
  /** Answers the searches asked so far (polls queue one behind the other) with no change. */
  async function flushSearches(http: HttpTestingController): Promise<void> {
    for (let searches = openSearches(http); searches.length > 0;) {
      searches.forEach((search) => search.flush(bundle()));
      await wait(0);
      searches = openSearches(http);
    }
  }

  it('creates the patient\'s websocket Subscription, binds it and searches on "bound" and on each ping', async () => {
    const { live, http, sockets } = setUp();
    const batches: Encounter[][] = [];
    const watching = live.changes('Encounter', { _id: 'e1' }).subscribe((batch) => batches.push(batch));

    await wait(0);
    http.expectOne(`${BASE}/metadata`).flush(capability(true));
    await wait(0);
    const search = http.expectOne((r) => r.url === `${BASE}/Subscription`);
    expect(search.request.method).toBe('GET');
    expect(search.request.params.get('type')).toBe('websocket');
    // Another patient's or an errored Subscription is not reused.
    search.flush(bundle(subscription('other', 'active', 'Appointment?patient=Patient/p1'), subscription('old', 'error')));
    await wait(0);
    const create = http.expectOne((r) => r.url === `${BASE}/Subscription` && r.method === 'POST');
    expect(create.request.body).toMatchObject({ status: 'requested', criteria: CRITERIA, channel: { type: 'websocket' } });
    create.flush(subscription('s1', 'requested'));
    await wait(0);
    http.expectOne(`${BASE}/Subscription/s1/$get-ws-binding-token`).flush(bindingToken('t1', 's1'));
    await wait(0);

    expect(sockets.map((s) => s.url)).toEqual([WS_URL]);
    sockets[0].open();
    expect(sockets[0].sent).toEqual(['bind-with-token t1']);
    http.expectNone((r) => r.url === `${BASE}/Encounter`);
    sockets[0].receive('bound s1');
    const first = encounterSearch(http);
    expect(first.request.params.get('_id')).toBe('e1');
    expect(first.request.params.get('_lastUpdated')).toMatch(/^ge\d{4}-/);
    first.flush(bundle(encounter('1', 'arrived')));
    await wait(0);
    sockets[0].receive('ping s1');
    encounterSearch(http).flush(bundle(encounter('1', 'arrived'), encounter('2', 'in-progress')));
    await wait(0);

    watching.unsubscribe();
    expect(sockets[0].closed).toBe(true);
    expect(batches.map((batch) => batch.map((e) => e.status))).toEqual([['arrived'], ['in-progress']]);
    http.verify();
  });

  it('reuses an active Subscription with the same criteria, and reconnects with a new token when the connection drops', async () => {
    const { live, http, sockets } = setUp();
    const batches: Encounter[][] = [];
    const watching = live.changes('Encounter', { _id: 'e1' }).subscribe((batch) => batches.push(batch));
    await wait(0);
    http.expectOne(`${BASE}/metadata`).flush(capability(true));
    await wait(0);
    http.expectOne((r) => r.url === `${BASE}/Subscription`).flush(bundle(subscription('s9', 'active')));
    await wait(0);
    http.expectNone((r) => r.method === 'POST');
    http.expectOne(`${BASE}/Subscription/s9/$get-ws-binding-token`).flush(bindingToken('t1', 's9'));
    await wait(0);
    sockets[0].open();
    sockets[0].receive('bound s9');
    encounterSearch(http).flush(bundle());

    sockets[0].drop();
    await wait(30);
    // No second search for the Subscription: the id is kept; only a fresh token.
    http.expectOne(`${BASE}/Subscription/s9/$get-ws-binding-token`).flush(bindingToken('t2', 's9'));
    await wait(0);
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(sockets[1].sent).toEqual(['bind-with-token t2']);
    sockets[1].receive('bound s9');
    // The search after binding again fills the gap of the disconnection.
    encounterSearch(http).flush(bundle(encounter('2', 'in-progress')));
    watching.unsubscribe();
    expect(batches).toHaveLength(1);
    http.verify();
  });

  it('polls while the socket cannot be opened, and stops polling once it is bound', async () => {
    const { live, http, sockets } = setUp(10);
    const batches: Encounter[][] = [];
    const watching = live.changes('Encounter', { _id: 'e1' }).subscribe((batch) => batches.push(batch));
    await wait(0);
    http.expectOne(`${BASE}/metadata`).flush(capability(true));
    await wait(0);
    http.expectOne((r) => r.url === `${BASE}/Subscription`).flush(bundle(subscription('s9', 'active')));
    await wait(0);
    http.expectOne(`${BASE}/Subscription/s9/$get-ws-binding-token`).flush(bindingToken('t1', 's9'));
    await wait(0);
    // The connection fails before it opens (a proxy without WebSocket support).
    sockets[0].drop();
    await wait(40);
    const polled = openSearches(http);
    expect(polled.length).toBeGreaterThan(0);
    polled.forEach((search) => search.flush(bundle(encounter('2', 'in-progress'))));
    expect(batches.map((batch) => batch.map((e) => e.status))).toEqual([['in-progress']]);

    // Meanwhile the socket was tried again; once it is bound, only its pings cause a search.
    http.expectOne(`${BASE}/Subscription/s9/$get-ws-binding-token`).flush(bindingToken('t2', 's9'));
    await wait(0);
    sockets[1].open();
    sockets[1].receive('bound s9');
    await flushSearches(http);
    await wait(40);
    await flushSearches(http);
    http.expectNone((r) => r.url === `${BASE}/Encounter`);
    await wait(40);
    http.expectNone((r) => r.url === `${BASE}/Encounter`);
    sockets[1].receive('ping s9');
    encounterSearch(http).flush(bundle(encounter('3', 'finished')));
    watching.unsubscribe();
    expect(batches.map((batch) => batch.map((e) => e.status))).toEqual([['in-progress'], ['finished']]);
    http.verify();
  });

  it("binds a practitioner's own Subscription, naming them, for their encounters and appointments", async () => {
    const { live, http, sockets } = setUp(60_000, { fhirUser: 'Practitioner/d1' });
    const watching = live.changes('Encounter', { status: 'arrived' }).subscribe();
    await wait(0);
    http.expectOne(`${BASE}/metadata`).flush(capability(true));
    await wait(0);
    http.expectOne((r) => r.url === `${BASE}/Subscription`).flush(bundle());
    await wait(0);
    const create = http.expectOne((r) => r.url === `${BASE}/Subscription` && r.method === 'POST');
    expect(create.request.body).toMatchObject({ criteria: 'Encounter?practitioner=Practitioner/d1', channel: { type: 'websocket' } });
    create.flush(subscription('s9', 'requested', 'Encounter?practitioner=Practitioner/d1'));
    await wait(0);
    http.expectOne(`${BASE}/Subscription/s9/$get-ws-binding-token`).flush(bindingToken('t9', 's9'));
    await wait(0);
    sockets[0].open();
    sockets[0].receive('bound s9');
    expect(encounterSearch(http).request.params.get('status')).toBe('arrived');
    watching.unsubscribe();
  });

  it('polls for a user who is neither a patient nor a practitioner (an administrator)', async () => {
    const { live, http, sockets } = setUp(10, {});
    const watching = live.changes('Encounter', { _id: 'e1' }).subscribe();
    await wait(30);
    http.expectNone(`${BASE}/metadata`);
    expect(openSearches(http).length).toBeGreaterThan(0);
    expect(sockets).toEqual([]);
    watching.unsubscribe();
  });

  it('polls when the server does not advertise the websocket channel', async () => {
    const { live, http, sockets } = setUp(10);
    const batches: Encounter[][] = [];
    const watching = live.changes('Encounter', { _id: 'e1' }).subscribe((batch) => batches.push(batch));
    await wait(0);
    http.expectOne(`${BASE}/metadata`).flush(capability(false));
    await wait(20);
    encounterSearch(http).flush(bundle(encounter('2', 'in-progress')));
    watching.unsubscribe();
    expect(sockets).toHaveLength(0);
    http.expectNone((r) => r.url === `${BASE}/Subscription`);
    expect(batches).toHaveLength(1);
  });

  it('polls when the server refuses the Subscription or the binding', async () => {
    const { live, http, sockets } = setUp(10);
    const refusedCreate = live.changes('Encounter', { _id: 'e1' }).subscribe();
    await wait(0);
    http.expectOne(`${BASE}/metadata`).flush(capability(true));
    await wait(0);
    http.expectOne((r) => r.url === `${BASE}/Subscription`).flush(bundle());
    await wait(0);
    http
      .expectOne((r) => r.method === 'POST')
      .flush({ resourceType: 'OperationOutcome', issue: [] }, { status: 403, statusText: 'Forbidden' });
    await wait(20);
    encounterSearch(http).flush(bundle());
    refusedCreate.unsubscribe();
    expect(sockets).toHaveLength(0);

    const refusedBind = live.changes('Encounter', { _id: 'e1' }).subscribe();
    await wait(0);
    http.expectOne((r) => r.url === `${BASE}/Subscription`).flush(bundle(subscription('s2', 'active')));
    await wait(0);
    http.expectOne(`${BASE}/Subscription/s2/$get-ws-binding-token`).flush(bindingToken('t3', 's2'));
    await wait(0);
    sockets[0].open();
    sockets[0].receive('error s2 the Subscription is not an active websocket subscription');
    await wait(20);
    encounterSearch(http).flush(bundle());
    refusedBind.unsubscribe();
    expect(sockets[0].closed).toBe(true);
  });
});
