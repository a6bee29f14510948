import type { BundleEntry, BundleEntryRequest } from '@medplum/fhirtypes';
import type { FhirRequest, HttpMethod } from '../fhir-request';
import { JSON_PATCH_CONTENT_TYPE } from '../interactions/patch';
import { badRequest } from '../outcomes';

/**
 * A Bundle entry's `request` as a FhirRequest (http://hl7.org/fhir/R4/bundle.html#transaction).
 * The Bundle passed requireValidBundle: every entry has a request (bdl-3) with a method of the
 * http-verb value set and a url.
 */
export function entryToRequest(entry: BundleEntry, index: number, baseUrl: string): FhirRequest {
  const { method, url } = entry.request as BundleEntryRequest;
  const relative = url.startsWith(baseUrl + '/') ? url.slice(baseUrl.length + 1) : url.replace(/^\/+/, '');
  if (/^[a-z]+:/i.test(relative)) {
    throw badRequest(`request.url must be relative to this server: ${url}`, `Bundle.entry[${index}].request.url`);
  }
  const [path, search = ''] = relative.split('?', 2);
  let body: unknown = entry.resource;
  let contentType: string | undefined = 'application/fhir+json';
  // A FHIRPath Patch is the entry's Parameters resource as it stands.
  if (method === 'PATCH' && entry.resource?.resourceType !== 'Parameters') {
    body = patchFromBinary(entry, index);
    contentType = JSON_PATCH_CONTENT_TYPE;
  }
  return {
    method: (method === 'HEAD' ? 'GET' : method) as HttpMethod,
    path: path.replace(/\/+$/, ''),
    query: new URLSearchParams(search),
    body,
    contentType,
    headers: {
      ifMatch: entry.request?.ifMatch,
      ifNoneMatch: entry.request?.ifNoneMatch,
      ifNoneExist: entry.request?.ifNoneExist,
    },
  };
}

/** In a Bundle a JSON Patch travels as a Binary whose data is the patch document. */
function patchFromBinary(entry: BundleEntry, index: number): unknown {
  const binary = entry.resource as { resourceType?: string; contentType?: string; data?: string } | undefined;
  if (binary?.resourceType !== 'Binary' || binary.contentType !== JSON_PATCH_CONTENT_TYPE || !binary.data) {
    throw badRequest(
      `A PATCH entry needs a Parameters resource (FHIRPath Patch) or a Binary with contentType ${JSON_PATCH_CONTENT_TYPE}`,
      `Bundle.entry[${index}].resource`,
    );
  }
  try {
    return JSON.parse(Buffer.from(binary.data, 'base64').toString('utf8'));
  } catch {
    throw badRequest('The Binary of a PATCH entry does not hold JSON', `Bundle.entry[${index}].resource.data`);
  }
}
