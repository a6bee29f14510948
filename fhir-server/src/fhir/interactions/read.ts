import type { StoredVersion } from '../../storage/fhir-repository';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { notFound } from '../outcomes';
import { applyView, isFullView, parseResourceView } from '../resource-view';
import { parseETag, parseStored, requireLive, storedResponse } from './stored-resource';

/** http://hl7.org/fhir/R4/http.html#read, with conditional read (If-None-Match -> 304). */
export async function readResource(
  ctx: FhirContext,
  resourceType: string,
  id: string,
  query: URLSearchParams,
  ifNoneMatch?: string,
): Promise<FhirResponse> {
  const stored = requireLive(await ctx.repo.readCurrent(resourceType, id), resourceType, id);
  if (ifNoneMatch && ifNoneMatch.trim() !== '*' && parseETag(ifNoneMatch) === stored.versionId) {
    return { status: 304, versionId: stored.versionId, lastUpdated: stored.lastUpdated };
  }
  return viewOf(stored, query);
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
