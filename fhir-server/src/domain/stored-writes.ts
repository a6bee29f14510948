import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { resourceLockKey, type FhirRepository, type StoredVersion } from '../storage/fhir-repository';
import { RuleViolation } from './rule-violation';

/**
 * Writes domain services make themselves (signing, aggregates), with the same version stamping
 * as the REST interactions. Call inside `repo.transaction`.
 */
export async function writeNew<T extends Resource>(
  repo: FhirRepository,
  resource: T,
  id: string = randomUUID(),
): Promise<T & { id: string }> {
  const lastUpdated = new Date().toISOString();
  const stamped = { ...resource, id, meta: { ...resource.meta, versionId: '1', lastUpdated } } as T & { id: string };
  await repo.writeVersion({ resource: stamped, versionId: 1, lastUpdated, method: 'POST', deleted: false });
  return stamped;
}

/** Writes the version after `current` (read under lockForUpdate). */
export async function writeNext<T extends Resource>(
  repo: FhirRepository,
  current: StoredVersion,
  resource: T,
): Promise<T & { id: string }> {
  const lastUpdated = new Date().toISOString();
  const versionId = current.versionId + 1;
  const stamped = { ...resource, id: current.id, meta: { ...resource.meta, versionId: String(versionId), lastUpdated } } as T & {
    id: string;
  };
  await repo.writeVersion({ resource: stamped, versionId, lastUpdated, method: 'PUT', deleted: false });
  return stamped;
}

/** Takes the resource's write lock and reads it; absent (or invisible to the caller) is a not-found. */
export async function lockForUpdate<T extends Resource>(
  repo: FhirRepository,
  resourceType: T['resourceType'],
  id: string,
): Promise<{ stored: StoredVersion; resource: T }> {
  await repo.lock(resourceLockKey(resourceType, id));
  const stored = await repo.readCurrent(resourceType, id);
  if (!stored || stored.deleted) {
    throw new RuleViolation('not-found', `${resourceType}/${id} not found`);
  }
  return { stored, resource: JSON.parse(stored.content) as T };
}

/** The current version of a referenced resource the caller can see, or undefined. */
export async function readReference<T extends Resource>(
  repo: FhirRepository,
  reference: string | undefined,
  type: T['resourceType'],
): Promise<T | undefined> {
  const match = new RegExp(`^${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(reference ?? '');
  if (!match) {
    return undefined;
  }
  const stored = await repo.readCurrent(type, match[1]);
  return stored && !stored.deleted ? (JSON.parse(stored.content) as T) : undefined;
}
