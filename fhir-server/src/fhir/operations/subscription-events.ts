import type { Bundle, BundleEntry, OperationDefinition } from '@medplum/fhirtypes';
import type { FhirRepository, SubscriptionEvent } from '../../storage/fhir-repository';
import { parseStored, requireLive } from '../interactions/stored-resource';
import { badRequest } from '../outcomes';
import type { FhirOperation } from './fhir-operation';
import { inputQuery } from './parameters';
import { entryList } from '../bundles/entry-list';

export const EVENT_NUMBER_EXTENSION = 'https://medbuddy.dev/fhir/StructureDefinition/subscription-event-number';
const MAX_COUNT = 1000;

/**
 * `Subscription/[id]/$events`: the events numbered for a rest-hook Subscription after
 * `eventsSinceNumber`, so a client that missed deliveries (it was down, the subscription went
 * to error) can fetch them. Modelled on R4B/R5 `$events`, answered in R4 as a history Bundle:
 * each entry is the version that matched, with its event number as an extension; versions the
 * caller may not read are left out; a deletion is an entry with `request.method` DELETE.
 */
export const subscriptionEvents: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Subscription-events',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Subscription-events',
    name: 'SubscriptionEvents',
    status: 'active',
    kind: 'operation',
    code: 'events',
    resource: ['Subscription'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: false,
    parameter: [
      {
        name: 'eventsSinceNumber',
        use: 'in',
        min: 0,
        max: '1',
        type: 'integer',
        documentation: 'Events after this number (default 0: all)',
      },
      {
        name: '_count',
        use: 'in',
        min: 0,
        max: '1',
        type: 'integer',
        documentation: `At most this many events (default 100, at most ${MAX_COUNT})`,
      },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
    ],
  },
  async handle(ctx, request, target) {
    const id = target.id ?? '';
    // The caller must be able to read the Subscription itself (else 404, as for a read).
    requireLive(await ctx.repo.readCurrent('Subscription', id), 'Subscription', id);
    const query = inputQuery(subscriptionEvents.definition, request);
    const since = integerParameter(query.get('eventsSinceNumber'), 'eventsSinceNumber', 0, Number.MAX_SAFE_INTEGER, 0);
    const count = integerParameter(query.get('_count'), '_count', 1, MAX_COUNT, 100);
    const events = await ctx.repo.subscriptionEvents(id, since, count);
    const bundle = await eventsBundle(ctx.repo, ctx.baseUrl, events);
    return { status: 200, resource: bundle };
  },
};

/**
 * Numbered events as a history Bundle, read through `repo` (so filtered for its caller):
 * each entry is the version that matched with its event number, a deletion an entry without
 * a resource; versions the caller may not read are left out. Also sent to WebSocket clients.
 */
export async function eventsBundle(repo: FhirRepository, baseUrl: string, events: readonly SubscriptionEvent[]): Promise<Bundle> {
  const versions = await Promise.all(
    events.map((event) => {
      const [type, resourceId] = event.resource.split('/');
      return repo.readVersion(type, resourceId, event.versionId);
    }),
  );
  const entry: BundleEntry[] = [];
  events.forEach((event, i) => {
    const version = versions[i];
    if (!version) {
      return;
    }
    const extension = [{ url: EVENT_NUMBER_EXTENSION, valueInteger: event.eventNumber }];
    const fullUrl = `${baseUrl}/${event.resource}`;
    if (version.deleted) {
      entry.push({
        extension,
        fullUrl,
        request: { method: 'DELETE', url: event.resource },
        response: { status: '204', etag: `W/"${event.versionId}"`, lastModified: version.lastUpdated },
      });
      return;
    }
    entry.push({
      extension,
      fullUrl,
      resource: parseStored(version),
      request: { method: event.versionId === 1 ? 'POST' : 'PUT', url: event.resource },
      response: { status: event.versionId === 1 ? '201' : '200', etag: `W/"${event.versionId}"`, lastModified: version.lastUpdated },
    });
  });
  return { resourceType: 'Bundle', type: 'history', ...entryList(entry) };
}

function integerParameter(raw: string | null, name: string, min: number, max: number, fallback: number): number {
  if (raw === null || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!/^\d{1,16}$/.test(raw) || value < min || value > max) {
    throw badRequest(`${name} must be an integer from ${min} to ${max}`, name);
  }
  return value;
}
