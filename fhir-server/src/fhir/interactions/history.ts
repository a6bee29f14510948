import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { StoredVersion } from '../../storage/fhir-repository';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir-request';
import { badRequest, notFound } from '../outcomes';
import { pageLink, parseCount } from '../paging';
import { parseStored } from './stored-resource';
import { entryList } from '../bundles/entry-list';

/**
 * http://hl7.org/fhir/R4/http.html#history at instance, type or system level: newest first,
 * `_since`, `_at`, `_count`, and keyset pages linked with `next`.
 */
export async function historyBundle(
  ctx: FhirContext,
  request: FhirRequest,
  target: { resourceType?: string; id?: string },
): Promise<FhirResponse> {
  const { query } = request;
  if (target.id && target.resourceType) {
    const current = await ctx.repo.readCurrent(target.resourceType, target.id);
    if (!current) {
      throw notFound(`${target.resourceType}/${target.id} not found`);
    }
  }
  const count = parseCount(query);
  const page = await ctx.repo.history({
    ...target,
    since: parseInstant(query, '_since'),
    at: parseInstant(query, '_at'),
    count,
    cursor: query.get('_cursor') ?? undefined,
  });
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'history',
    link: [{ relation: 'self', url: pageLink(ctx.baseUrl, request.path, query, {}) }],
    ...entryList(page.entries.map((version) => historyEntry(ctx.baseUrl, version))),
  };
  if (page.nextCursor) {
    bundle.link?.push({ relation: 'next', url: pageLink(ctx.baseUrl, request.path, query, { _cursor: page.nextCursor }) });
  }
  return { status: 200, resource: bundle };
}

function historyEntry(baseUrl: string, version: StoredVersion): BundleEntry {
  const path = `${version.resourceType}/${version.id}`;
  // The interaction that wrote the version: a create by PUT is a PUT, a patch a PATCH (Bundle.entry.request).
  const method = version.method ?? (version.deleted ? 'DELETE' : 'PUT');
  const entry: BundleEntry = {
    fullUrl: `${baseUrl}/${path}`,
    request: { method, url: method === 'POST' ? version.resourceType : path },
    response: {
      status: method === 'DELETE' ? '204 No Content' : version.versionId === 1 ? '201 Created' : '200 OK',
      etag: `W/"${version.versionId}"`,
      lastModified: version.lastUpdated,
    },
  };
  if (!version.deleted) {
    entry.resource = parseStored(version);
  }
  return entry;
}

function parseInstant(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  if (raw === null) {
    return undefined;
  }
  const value = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/.test(raw) ? new Date(raw) : undefined;
  if (!value || Number.isNaN(value.getTime())) {
    throw badRequest(`${name} must be a FHIR instant such as 2026-01-01T00:00:00Z, got "${raw}"`);
  }
  return value.toISOString();
}
