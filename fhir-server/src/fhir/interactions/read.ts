import type { StoredVersion } from '../../storage/fhir-repository';
import type { FhirContext, FhirRequestHeaders, FhirResponse } from '../fhir-request';
import { notFound } from '../outcomes';
import { applyView, isFullView, parseResourceView } from '../resource-view';
import { parseETag, parseStored, requireLive, storedResponse } from './stored-resource';

type ReadConditions = Pick<FhirRequestHeaders, 'ifNoneMatch' | 'ifModifiedSince'>;

/**
 * http://hl7.org/fhir/R4/http.html#read, with conditional read: 304 when `If-None-Match` names
 * the current version, or, without it, when the resource has not changed since
 * `If-Modified-Since` (RFC 9110 section 13.1.3: a date of whole seconds, like Last-Modified).
 */
export async function readResource(
  ctx: FhirContext,
  resourceType: string,
  id: string,
  query: URLSearchParams,
  conditions: ReadConditions = {},
): Promise<FhirResponse> {
  const stored = requireLive(await ctx.repo.readCurrent(resourceType, id), resourceType, id);
  if (notModified(stored, conditions)) {
    return { status: 304, versionId: stored.versionId, lastUpdated: stored.lastUpdated };
  }
  return viewOf(stored, query);
}

function notModified(stored: StoredVersion, { ifNoneMatch, ifModifiedSince }: ReadConditions): boolean {
  if (ifNoneMatch) {
    return ifNoneMatch.trim() !== '*' && parseETag(ifNoneMatch) === stored.versionId;
  }
  const since = ifModifiedSince ? Date.parse(ifModifiedSince) : NaN;
  return !Number.isNaN(since) && Math.floor(Date.parse(stored.lastUpdated) / 1000) <= Math.floor(since / 1000);
}

/** http://hl7.org/fhir/R4/http.html#vread */
export async function vreadResource(
  ctx: FhirContext,
  resourceType: string,
  id: string,
  versionId: string,
  query: URLSearchParams,
): Promise<FhirResponse> {
  const version = /^\d{1,9}$/.test(versionId) ? Number(versionId) : NaN;
  const stored = Number.isNaN(version) ? undefined : await ctx.repo.readVersion(resourceType, id, version);
  if (!stored) {
    throw notFound(`${resourceType}/${id}/_history/${versionId} not found`);
  }
  return viewOf(requireLive(stored, resourceType, id), query);
}

function viewOf(stored: StoredVersion, query: URLSearchParams): FhirResponse {
  const view = parseResourceView(query);
  if (isFullView(view)) {
    return storedResponse(stored);
  }
  return { ...storedResponse(stored), resourceText: undefined, resource: applyView(parseStored(stored), view) };
}
