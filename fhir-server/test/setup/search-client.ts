import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { TestServer } from './test-server';

const FHIR_JSON = 'application/fhir+json';

/** Types that cannot be updated, so not created by update either (auth/resource-policy.ts): POSTed. */
const IMMUTABLE = new Set(['AuditEvent']);

/**
 * Stores resources under the ids they carry (update-as-create), so tests can name them;
 * immutable types are created with POST and get a server id. Returns the stored id of each,
 * by `Type/id` as given.
 */
export async function putAll(server: TestServer, resources: readonly (Resource & { id: string })[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const resource of resources) {
    const immutable = IMMUTABLE.has(resource.resourceType);
    const res = immutable
      ? await server.request
          .post(`/fhir/${resource.resourceType}`)
          .set('Content-Type', FHIR_JSON)
          .send(JSON.stringify({ ...resource, id: undefined }))
      : await server.request
          .put(`/fhir/${resource.resourceType}/${resource.id}`)
          .set('Content-Type', FHIR_JSON)
          .send(JSON.stringify(resource));
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`${immutable ? 'POST' : 'PUT'} ${resource.resourceType}/${resource.id} failed: ${res.status} ${res.text}`);
    }
    ids.set(`${resource.resourceType}/${resource.id}`, (JSON.parse(res.text) as Resource).id as string);
  }
  return ids;
}

/** GET a search (path below /fhir) and return the Bundle; fails the test on a non-200. */
export async function searchBundle(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<Bundle> {
  const res = await server.request.get(`/fhir/${path}`).set(headers);
  if (res.status !== 200) {
    throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
  }
  return JSON.parse(res.text) as Bundle;
}

/** The ids of the matches (search.mode = match), in Bundle order. */
export async function matchIds(server: TestServer, path: string): Promise<string[]> {
  const bundle = await searchBundle(server, path);
  return (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id as string);
}

/** The ids of the matches, sorted (for searches whose order is not the point). */
export async function matchSet(server: TestServer, path: string): Promise<string[]> {
  return (await matchIds(server, path)).sort();
}

/** Follows a Bundle link (absolute URL of the test server's public base) as a path below /fhir. */
export function linkPath(server: TestServer, bundle: Bundle, relation: string): string | undefined {
  const url = bundle.link?.find((l) => l.relation === relation)?.url;
  return url?.slice(server.baseUrl.length + 1);
}

/** Every resource of a search (matches and includes), following its next links. */
export async function allPages(server: TestServer, first: string): Promise<Resource[]> {
  const found: Resource[] = [];
  for (let path: string | undefined = first; path;) {
    const bundle = await searchBundle(server, path);
    found.push(...(bundle.entry ?? []).map((entry) => entry.resource as Resource));
    path = linkPath(server, bundle, 'next');
  }
  return found;
}
