import { inject, Injectable } from '@angular/core';
import type { ExtractResource, Resource, ResourceType } from '@medplum/fhirtypes';
import { catchError, defer, EMPTY, exhaustMap, filter, map, timer, type Observable } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient, type SearchParams } from '../core/fhir/fhir-client';
import { LIVE_UPDATE_INTERVAL_MS, type LiveUpdates } from './live-updates';

/** How far back the first check looks, for clocks of browser and server that differ a little. */
const CLOCK_MARGIN_MS = 60_000;

/**
 * LiveUpdates by polling: every interval, the same search with `_lastUpdated=ge<newest change
 * seen>`; versions already emitted are not emitted again. The first check starts a minute
 * before subscribing, so a change made while the page loaded is not missed (a page may see it
 * once more, which is harmless: it only refreshes).
 */
@Injectable({ providedIn: 'root' })
export class PollingLiveUpdates implements LiveUpdates {
  private readonly fhir = inject(FhirClient);
  private readonly intervalMs = inject(LIVE_UPDATE_INTERVAL_MS);

  changes<T extends ResourceType>(type: T, criteria: SearchParams): Observable<ExtractResource<T>[]> {
    return defer(() => {
      let since = new Date(Date.now() - CLOCK_MARGIN_MS).toISOString();
      const seen = new Set<string>();
      return timer(this.intervalMs, this.intervalMs).pipe(
        // A page in the background (another tab, a phone's locked screen) does not ask; the
        // first check after it is shown again catches up from the newest change seen.
        filter(() => typeof document === 'undefined' || document.visibilityState !== 'hidden'),
        exhaustMap(() => this.fhir.search(type, { ...criteria, _lastUpdated: `ge${since}`, _count: 100 }).pipe(catchError(() => EMPTY))),
        map((bundle) => {
          const fresh = matches(bundle).filter((resource) => !seen.has(versionKey(resource)));
          for (const resource of fresh) {
            seen.add(versionKey(resource));
            const updated = resource.meta?.lastUpdated;
            if (updated && updated > since) {
              since = updated;
            }
          }
          return fresh;
        }),
        filter((fresh) => fresh.length > 0),
      );
    });
  }
}

function versionKey(resource: Resource): string {
  return `${resource.resourceType}/${resource.id}/${resource.meta?.versionId ?? resource.meta?.lastUpdated ?? ''}`;
}
