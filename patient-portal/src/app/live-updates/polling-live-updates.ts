import { inject, Injectable } from '@angular/core';
import type { ExtractResource, ResourceType } from '@medplum/fhirtypes';
import { filter, timer, type Observable } from 'rxjs';
import { FhirClient, type SearchParams } from '../core/fhir/fhir-client';
import { changedVersions } from './changed-versions';
import { LIVE_UPDATE_INTERVAL_MS, type LiveUpdates } from './live-updates';

/**
 * LiveUpdates by polling: every interval, the same search with `_lastUpdated=ge<newest change
 * seen>` (see changedVersions). The fallback of WebSocketLiveUpdates when the server has no
 * Subscription websocket or refuses one, and its checks while its socket is not bound.
 */
@Injectable({ providedIn: 'root' })
export class PollingLiveUpdates implements LiveUpdates {
  private readonly fhir = inject(FhirClient);
  private readonly intervalMs = inject(LIVE_UPDATE_INTERVAL_MS);

  changes<T extends ResourceType>(type: T, criteria: SearchParams): Observable<ExtractResource<T>[]> {
    return changedVersions(this.fhir, type, criteria, this.ticks(), 'skip');
  }

  /** When to check: every interval while the page is shown (also WebSocketLiveUpdates' while its socket is down). */
  ticks(): Observable<number> {
    return timer(this.intervalMs, this.intervalMs).pipe(
      // A page in the background (another tab, a phone's locked screen) does not ask; the
      // first check after it is shown again catches up from the newest change seen.
      filter(() => typeof document === 'undefined' || document.visibilityState !== 'hidden'),
    );
  }
}
