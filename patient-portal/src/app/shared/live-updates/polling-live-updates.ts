import { inject, Injectable } from '@angular/core';
import type { ExtractResource, ResourceType } from '@medplum/fhirtypes';
import { catchError, EMPTY, exhaustMap, filter, from, timer, type Observable } from 'rxjs';
import { FhirClient, type SearchParams } from '../../core/fhir/fhir-client';
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

  /**
   * Runs `work` at each check while the page is shown, skipping the checks that come while
   * `paused()` or while the last run has not ended; a failed run waits for the next check.
   * For what patients cannot be told of as a change (Slots taken: they see free ones only).
   */
  repeat(work: () => Promise<unknown>, paused: () => boolean): Observable<unknown> {
    return this.ticks().pipe(
      filter(() => !paused()),
      exhaustMap(() => from(work()).pipe(catchError(() => EMPTY))),
    );
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
