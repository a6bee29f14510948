import { Injectable, InjectionToken } from '@angular/core';
import type { ExtractResource, ResourceType } from '@medplum/fhirtypes';
import type { Observable } from 'rxjs';
import type { SearchParams } from '../../core/fhir/fhir-client';
import { WebSocketLiveUpdates } from './websocket-live-updates';

/** How often the polling transport asks the server for changes. */
export const LIVE_UPDATE_INTERVAL_MS = new InjectionToken<number>('LIVE_UPDATE_INTERVAL_MS', { factory: () => 5_000 });

/**
 * Changes to the resources matching a FHIR search, as they happen: appointment changes and
 * "the doctor is ready" (the consultation Encounter becoming in-progress) reach pages without
 * a reload. Pages depend on this class only. The transport is the FHIR Subscription websocket
 * channel (`WebSocketLiveUpdates`), which falls back to polling the FHIR API with
 * `_lastUpdated` (`PollingLiveUpdates`) when the server lacks the channel or refuses it.
 */
@Injectable({ providedIn: 'root', useExisting: WebSocketLiveUpdates })
export abstract class LiveUpdates {
  /**
   * The resources of `type` matching `criteria` that changed after subscribing (each version
   * once), in batches. Failures (offline, a server error) are skipped; the next check retries.
   */
  abstract changes<T extends ResourceType>(type: T, criteria: SearchParams): Observable<ExtractResource<T>[]>;
}
