import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import type { FhirRepository, StoredVersion } from '../../storage/fhir-repository';
import type { SearchFilter, SortRule } from '../../storage/search-query';
import { SchedulingError } from './scheduling-error';

/**
 * The few resource writes and reads scheduling does, on a FhirRepository: the same versioning
 * and locks as the REST interactions (the lock key is the one fhir/interactions/update.ts takes),
 * so a booking and a concurrent PUT of the same Slot serialise.
 */
export function resourceLockKey(resourceType: string, id: string): string {
  return `resource:${resourceType}/${id}`;
}

export interface Versioned<T extends Resource> {
  readonly resource: T & { id: string };
  readonly versionId: number;
}

export async function readLive<T extends Resource>(
  repo: FhirRepository,
  resourceType: T['resourceType'],
  id: string,
): Promise<Versioned<T> | undefined> {
  const stored = await repo.readCurrent(resourceType, id);
  return stored && !stored.deleted ? toVersioned<T>(stored) : undefined;
}

/** Reads under the resource's write lock (inside a transaction); 404 when absent or hidden. */
export async function lockLive<T extends Resource>(
  repo: FhirRepository,
  resourceType: T['resourceType'],
  id: string,
): Promise<Versioned<T>> {
  await repo.lock(resourceLockKey(resourceType, id));
  const found = await readLive<T>(repo, resourceType, id);
  if (!found) {
    throw new SchedulingError('not-found', `${resourceType}/${id} not found`);
  }
  return found;
}

export async function createVersion<T extends Resource>(repo: FhirRepository, resource: T): Promise<Versioned<T>> {
  return writeAt(repo, { ...resource, id: resource.id ?? randomUUID() } as T & { id: string }, 1, 'POST');
}

/** The next version of a resource read with lockLive. */
export async function updateVersion<T extends Resource>(repo: FhirRepository, current: Versioned<T>, next: T): Promise<Versioned<T>> {
  return writeAt(repo, { ...next, id: current.resource.id } as T & { id: string }, current.versionId + 1, 'PUT');
}

export async function deleteVersion(repo: FhirRepository, current: Versioned<Resource>): Promise<void> {
  await repo.writeVersion({
    resource: { resourceType: current.resource.resourceType as 'Patient', id: current.resource.id },
    versionId: current.versionId + 1,
    lastUpdated: new Date().toISOString(),
    method: 'DELETE',
    deleted: true,
  });
}

async function writeAt<T extends Resource>(
  repo: FhirRepository,
  resource: T & { id: string },
  versionId: number,
  method: 'POST' | 'PUT',
): Promise<Versioned<T>> {
  const lastUpdated = new Date().toISOString();
  const stamped = { ...resource, meta: { ...resource.meta, versionId: String(versionId), lastUpdated } } as T & { id: string };
  await repo.writeVersion({ resource: stamped, versionId, lastUpdated, method, deleted: false });
  return { resource: stamped, versionId };
}

function toVersioned<T extends Resource>(stored: StoredVersion): Versioned<T> {
  return { resource: JSON.parse(stored.content) as T & { id: string }, versionId: stored.versionId };
}

/** Every current resource matching the filters, page by page (for bounded sets: one schedule's horizon). */
export async function searchAll<T extends Resource>(
  repo: FhirRepository,
  resourceType: T['resourceType'],
  filters: readonly SearchFilter[],
  sort: readonly SortRule[] = [],
): Promise<Versioned<T>[]> {
  const found: Versioned<T>[] = [];
  let cursor: string | undefined;
  do {
    const page = await repo.search({ resourceTypes: [resourceType], filters, sort, count: 500, total: 'none', cursor });
    found.push(...page.entries.filter((e) => !e.deleted).map((e) => toVersioned<T>(e)));
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

/** Filter helpers for the search parameters scheduling uses. */
export const byReference = (code: string, reference: string, targetType: string): SearchFilter => ({
  code,
  type: 'reference',
  values: [{ value: reference }],
  targetTypes: [targetType],
});
export const byToken = (code: string, ...values: string[]): SearchFilter => ({
  code,
  type: 'token',
  values: values.map((value) => ({ value })),
});
export const byDate = (code: string, prefix: 'ge' | 'gt' | 'lt' | 'le', value: string): SearchFilter => ({
  code,
  type: 'date',
  values: [{ prefix, value }],
});
export const sortBy = (code: string, type: SortRule['type'] = 'date', descending = false): SortRule => ({ code, type, descending });
