import type { BundleEntry, BundleEntryResponse, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { FhirResponse } from '../fhir-request';
import { informational } from '../outcomes';

const REASON: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
};

export function statusLine(status: number): string {
  return `${status}${REASON[status] ? ' ' + REASON[status] : ''}`;
}

/** The Bundle entry answering one entry of a batch or transaction. */
export function responseEntry(
  response: FhirResponse,
  preferReturn: 'minimal' | 'representation' | 'OperationOutcome' | undefined,
  baseUrl: string,
): BundleEntry {
  const entryResponse: BundleEntryResponse = { status: statusLine(response.status) };
  if (response.location) {
    entryResponse.location = response.location;
  }
  if (response.versionId !== undefined) {
    entryResponse.etag = `W/"${response.versionId}"`;
  }
  if (response.lastUpdated) {
    entryResponse.lastModified = response.lastUpdated;
  }
  const entry: BundleEntry = { response: entryResponse };
  const resource = response.resource ?? (response.resourceText ? (JSON.parse(response.resourceText) as Resource) : undefined);
  if (preferReturn === 'OperationOutcome') {
    entryResponse.outcome = informational(statusLine(response.status));
  } else if (resource && preferReturn !== 'minimal') {
    entry.resource = resource;
    if (resource.id && resource.resourceType !== 'Bundle' && resource.resourceType !== 'OperationOutcome') {
      entry.fullUrl = `${baseUrl}/${resource.resourceType}/${resource.id}`;
    }
  }
  return entry;
}

export function errorEntry(status: number, outcome: OperationOutcome): BundleEntry {
  return { response: { status: statusLine(status), outcome } };
}
