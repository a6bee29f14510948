import type { Interaction } from '../auth/scopes';
import type { FhirContext, HttpMethod } from './fhir-request';
import { forbidden, unauthorized } from './outcomes';

/**
 * The type-level permission each route of router.ts needs (SMART v2 letters). Instance-level
 * rules (compartment, care relationship, public directory) are enforced by storage, which
 * answers a resource the caller may not see as absent (404), as the SMART spec suggests.
 * `authenticated`: any signed-in caller; storage filters what they get back.
 */
const REQUIRED: Record<string, Interaction | 'public' | 'authenticated'> = {
  'GET metadata': 'public',
  // System-level and compartment searches: storage filters every type searched by the caller's access.
  'GET ': 'authenticated',
  'POST _search': 'authenticated',
  'GET :type/:id/:member': 'authenticated',
  'POST ': 'authenticated',
  'GET _history': 'authenticated',
  'GET :op': 'authenticated',
  'POST :op': 'authenticated',
  'GET :type': 's',
  'POST :type/_search': 's',
  'POST :type': 'c',
  'PUT :type': 'u',
  'PATCH :type': 'u',
  'DELETE :type': 'd',
  'GET :type/_history': 's',
  'GET :type/:op': 'r',
  'POST :type/:op': 'r',
  'GET :type/:id': 'r',
  'PUT :type/:id': 'u',
  'PATCH :type/:id': 'u',
  'DELETE :type/:id': 'd',
  'GET :type/:id/_history': 'r',
  'GET :type/:id/_history/:vid': 'r',
  'GET :type/:id/:op': 'r',
  'POST :type/:id/:op': 'r',
};

const NAMES: Record<Interaction, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/**
 * 401 for an anonymous caller who needs to sign in, 403 for a signed-in caller whose scopes
 * and role do not cover the interaction. Bundles call this entry by entry through dispatch.
 */
export function authorizeRoute(ctx: FhirContext, method: HttpMethod, pattern: readonly string[], resourceType: string): void {
  const required = REQUIRED[`${method} ${pattern.join('/')}`] ?? 'authenticated';
  if (required === 'public') {
    return;
  }
  const anonymous = ctx.access.principal.kind === 'anonymous';
  if (required === 'authenticated') {
    if (anonymous) {
      throw unauthorized('This request needs an access token');
    }
    return;
  }
  if (!ctx.access.permits(resourceType, required)) {
    throw anonymous
      ? unauthorized(`${NAMES[required]} on ${resourceType} needs an access token`)
      : forbidden(`The access token does not permit ${NAMES[required]} on ${resourceType}`);
  }
}
