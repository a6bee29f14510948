import { HttpErrorResponse } from '@angular/common/http';
import { inject, Injectable, InjectionToken } from '@angular/core';
import type { CapabilityStatement, ExtractResource, Parameters, ResourceType, Subscription } from '@medplum/fhirtypes';
import {
  BehaviorSubject,
  catchError,
  defer,
  distinctUntilChanged,
  EMPTY,
  firstValueFrom,
  from,
  merge,
  Observable,
  retry,
  switchMap,
  throwError,
  timer,
} from 'rxjs';
import { AuthStore } from '../../core/auth/auth-store';
import { FhirClient, type SearchParams } from '../../core/fhir/fhir-client';
import { matches } from '../../core/fhir/bundle';
import { changedVersions } from './changed-versions';
import type { LiveUpdates } from './live-updates';
import { PollingLiveUpdates } from './polling-live-updates';

/** The browser's WebSocket, replaceable in unit tests. */
export const OPEN_WEB_SOCKET = new InjectionToken<(url: string) => WebSocket>('OPEN_WEB_SOCKET', {
  factory: () => (url: string) => new WebSocket(url),
});

/** The first reconnection delay; it doubles after each failed attempt, up to a minute. */
export const LIVE_RECONNECT_DELAY_MS = new InjectionToken<number>('LIVE_RECONNECT_DELAY_MS', { factory: () => 1_000 });
const MAX_RECONNECT_DELAY_MS = 60_000;

const WEBSOCKET_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket';

/** Types with a `practitioner` search parameter, for a practitioner's own Subscription. */
const PRACTITIONER_TYPES: ReadonlySet<string> = new Set(['Appointment', 'Encounter']);

/** The server has no websocket channel or refuses this Subscription: polling takes over. */
class Refused extends Error {}

/**
 * LiveUpdates through the FHIR R4 Subscription websocket channel. Per resource type, the
 * signed-in patient's own Subscription `<type>?patient=Patient/<id>`, or a practitioner's
 * `<type>?practitioner=Practitioner/<id>` (an active or requested one found by search, else
 * created), is bound with a token from `$get-ws-binding-token`; right after
 * `bound` and on each `ping` the page's search runs with `_lastUpdated` (changedVersions), so
 * pages get the changed versions as with polling, and the gap of a reconnection is filled by
 * that same search. A dropped connection is opened again with backoff; until a socket is bound
 * (one that cannot be opened at all, a reconnection), the polling checks run. Without the channel in
 * the CapabilityStatement, or when the server refuses the Subscription or the binding, or when
 * nobody is signed in as a patient or practitioner, PollingLiveUpdates does the work.
 */
@Injectable({ providedIn: 'root' })
export class WebSocketLiveUpdates implements LiveUpdates {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly polling = inject(PollingLiveUpdates);
  private readonly openSocket = inject(OPEN_WEB_SOCKET);
  private readonly reconnectDelayMs = inject(LIVE_RECONNECT_DELAY_MS);
  private websocketUrl?: Promise<string | undefined>;
  /** Subscription ids by criteria, shared by the pages watching the same type. */
  private readonly subscriptions = new Map<string, Promise<string>>();

  changes<T extends ResourceType>(type: T, criteria: SearchParams): Observable<ExtractResource<T>[]> {
    return defer(() => {
      const own = this.ownCriteria(type);
      if (!own) {
        return this.polling.changes(type, criteria);
      }
      const bound = new BehaviorSubject(false);
      const pings = this.pings(own, bound);
      // Until the socket is bound, and while it reconnects, the polling checks run: a socket
      // that cannot be opened (a proxy without WebSocket support, the server away) costs no change.
      const whileUnbound = bound.pipe(
        distinctUntilChanged(),
        switchMap((up) => (up ? EMPTY : this.polling.ticks())),
      );
      return changedVersions(this.fhir, type, criteria, merge(pings, whileUnbound), 'queue').pipe(
        catchError((error: unknown) => (error instanceof Refused ? this.polling.changes(type, criteria) : throwError(() => error))),
      );
    });
  }

  /**
   * The Subscription criteria of the signed-in user for the type: a patient's own resources
   * (`<type>?patient=Patient/<id>`), or those naming the signed-in practitioner
   * (`<type>?practitioner=Practitioner/<id>`: Appointment, Encounter); none for anyone else.
   */
  private ownCriteria(type: ResourceType): string | undefined {
    const patientId = this.auth.patientId();
    if (patientId) {
      return `${type}?patient=Patient/${patientId}`;
    }
    const user = this.auth.fhirUser();
    return user?.startsWith('Practitioner/') && PRACTITIONER_TYPES.has(type) ? `${type}?practitioner=${user}` : undefined;
  }

  /** Emits once bound and on each event, telling `bound` whether it is; reconnects with backoff, errors with Refused. */
  private pings(criteria: string, bound: BehaviorSubject<boolean>): Observable<void> {
    return defer(() => from(this.bindingFor(criteria))).pipe(
      switchMap(({ url, token, id }) => this.socket(url, token, id, criteria, bound)),
      retry({
        resetOnSuccess: true,
        delay: (error: unknown, attempt: number) => {
          if (error instanceof Refused) {
            throw error;
          }
          return timer(Math.min(this.reconnectDelayMs * 2 ** (attempt - 1), MAX_RECONNECT_DELAY_MS));
        },
      }),
    );
  }

  private socket(url: string, token: string, id: string, criteria: string, bound: BehaviorSubject<boolean>): Observable<void> {
    return new Observable<void>((subscriber) => {
      const socket = this.openSocket(url);
      socket.onopen = () => socket.send(`bind-with-token ${token}`);
      socket.onmessage = (event: MessageEvent) => {
        const [kind, subject] = String(event.data).split(' ', 2);
        if ((kind === 'bound' || kind === 'ping') && subject === id) {
          if (kind === 'bound') {
            bound.next(true);
          }
          subscriber.next();
        } else if (kind === 'error') {
          this.subscriptions.delete(criteria);
          subscriber.error(new Refused(String(event.data)));
        }
      };
      socket.onclose = (event: CloseEvent) => subscriber.error(new Error(`The live updates connection closed (${event.code})`));
      return () => {
        bound.next(false);
        socket.onopen = socket.onmessage = socket.onclose = null;
        socket.close();
      };
    });
  }

  private async bindingFor(criteria: string): Promise<{ url: string; token: string; id: string }> {
    const advertised = await this.advertisedUrl();
    if (!advertised) {
      throw new Refused('The server has no Subscription websocket');
    }
    const id = await this.subscriptionFor(criteria);
    try {
      const answer = await firstValueFrom(this.fhir.operation<Parameters>(`Subscription/${id}/$get-ws-binding-token`, { method: 'GET' }));
      const value = (name: string) => answer.parameter?.find((p) => p.name === name);
      const token = value('token')?.valueString;
      if (!token) {
        throw new Refused('No binding token');
      }
      return { url: value('websocket-url')?.valueUrl ?? advertised, token, id };
    } catch (error) {
      if (isGone(error)) {
        this.subscriptions.delete(criteria); // deleted meanwhile: the next attempt makes another
      }
      throw refusedOr(error);
    }
  }

  private advertisedUrl(): Promise<string | undefined> {
    this.websocketUrl ??= firstValueFrom(this.fhir.operation<CapabilityStatement>('metadata', { method: 'GET' })).then(
      (statement) => statement.rest?.[0]?.extension?.find((e) => e.url === WEBSOCKET_EXTENSION)?.valueUrl,
      (error: unknown) => {
        this.websocketUrl = undefined;
        throw error;
      },
    );
    return this.websocketUrl;
  }

  private subscriptionFor(criteria: string): Promise<string> {
    let found = this.subscriptions.get(criteria);
    if (!found) {
      found = this.findOrCreate(criteria).catch((error: unknown) => {
        this.subscriptions.delete(criteria);
        throw refusedOr(error);
      });
      this.subscriptions.set(criteria, found);
    }
    return found;
  }

  private async findOrCreate(criteria: string): Promise<string> {
    const bundle = await firstValueFrom(this.fhir.search('Subscription', { type: 'websocket', status: 'active,requested', _count: 100 }));
    const existing = matches(bundle).find(
      (s) => s.criteria === criteria && s.channel?.type === 'websocket' && (s.status === 'active' || s.status === 'requested'),
    );
    if (existing?.id) {
      return existing.id;
    }
    const created = await firstValueFrom(
      this.fhir.create<Subscription>({
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'MedBuddy portal live updates',
        criteria,
        channel: { type: 'websocket' },
      }),
    );
    if (!created.id) {
      throw new Refused('The Subscription was not created');
    }
    return created.id;
  }
}

/** 404/410: the Subscription is gone (try another); other 4xx: refused for good (poll); else retry. */
function isGone(error: unknown): boolean {
  return error instanceof HttpErrorResponse && (error.status === 404 || error.status === 410);
}

function refusedOr(error: unknown): unknown {
  if (error instanceof HttpErrorResponse && error.status >= 400 && error.status < 500 && ![404, 408, 410, 429].includes(error.status)) {
    return new Refused(error.message);
  }
  return error;
}
