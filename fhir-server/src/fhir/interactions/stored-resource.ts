import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../../storage/fhir-repository';
import type { FhirResponse } from '../fhir-request';
import { badRequest, gone, notFound, preconditionFailed } from '../outcomes';

export { resourceLockKey } from '../../storage/fhir-repository';

/** The resource with id, meta.versionId and meta.lastUpdated set by the server. */
export function stampMeta<T extends Resource>(resource: T, id: string, versionId: number, lastUpdated: string): T & { id: string } {
  return { ...resource, id, meta: { ...resource.meta, versionId: String(versionId), lastUpdated } } as T & { id: string };
}

/** The current version, or 404 if it never existed and 410 if it was deleted. */
export function requireLive(stored: StoredVersion | undefined, resourceType: string, id: string): StoredVersion {
  if (!stored) {
    throw notFound(`${resourceType}/${id} not found`);
  }
  if (stored.deleted) {
    throw gone(`${resourceType}/${id} has been deleted`);
  }
  return stored;
}

export function storedResponse(stored: StoredVersion, status = 200): FhirResponse {
  return { status, resourceText: stored.content, versionId: stored.versionId, lastUpdated: stored.lastUpdated };
}

export function parseStored(stored: StoredVersion): Resource {
  return JSON.parse(stored.content) as Resource;
}

/**
 * Optimistic locking (http://hl7.org/fhir/R4/http.html#concurrency): `If-Match: W/"n"` must
 * name the current version, otherwise 412.
 */
export function checkIfMatch(ifMatch: string | undefined, current: StoredVersion | undefined): void {
  if (ifMatch === undefined) {
    return;
  }
  const expected = parseETag(ifMatch);
  if (!current || current.deleted || current.versionId !== expected) {
    throw preconditionFailed(
      `If-Match ${ifMatch} does not match the current version${current && !current.deleted ? ` W/"${current.versionId}"` : ''}`,
    );
  }
}

export function parseETag(etag: string): number {
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(etag.trim());
  if (!match) {
    throw badRequest(`Invalid ETag ${JSON.stringify(etag)}; expected W/"<versionId>"`);
  }
  return Number(match[1]);
}
