import type { ExtractResource, Resource, ResourceType } from '@medplum/fhirtypes';
import { catchError, concatMap, defer, EMPTY, exhaustMap, filter, map, type Observable } from 'rxjs';
import { matches } from '../../core/fhir/bundle';
import type { FhirClient, SearchParams } from '../../core/fhir/fhir-client';

/** How far back the first check looks, for clocks of browser and server that differ a little. */
const CLOCK_MARGIN_MS = 60_000;

/**
 * On each `check`, the search with `_lastUpdated=ge<newest change seen>`, emitting the versions
 * not emitted before (both transports of LiveUpdates). The first check starts a minute before
 * subscribing, so a change made while the page loaded is not missed (a page may see it once
 * more, which is harmless: it only refreshes). A failed check is skipped; the next one retries.
 * A check asked during a search is dropped (`skip`: polling asks again anyway) or run after it
 * (`queue`: a ping announces a change the running search may have missed).
 */
export function changedVersions<T extends ResourceType>(
  fhir: FhirClient,
  type: T,
  criteria: SearchParams,
  checks: Observable<unknown>,
  whileBusy: 'skip' | 'queue',
): Observable<ExtractResource<T>[]> {
  return defer(() => {
    let since = new Date(Date.now() - CLOCK_MARGIN_MS).toISOString();
    const seen = new Set<string>();
    return checks.pipe(
      (whileBusy === 'skip' ? exhaustMap : concatMap)(() =>
        fhir.search(type, { ...criteria, _lastUpdated: `ge${since}`, _count: 100 }).pipe(catchError(() => EMPTY)),
      ),
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

function versionKey(resource: Resource): string {
  return `${resource.resourceType}/${resource.id}/${resource.meta?.versionId ?? resource.meta?.lastUpdated ?? ''}`;
}
