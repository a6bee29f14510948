import { isResourceType } from '../definitions';
import { processBundle } from './bundles/process-bundle';
import { capabilityStatement } from './capability-statement';
import type { FhirContext, FhirRequest, FhirResponse, HttpMethod } from './fhir-request';
import { createResource } from './interactions/create';
import { conditionalDelete, deleteResource } from './interactions/delete';
import { historyBundle } from './interactions/history';
import { conditionalPatch, patchResource } from './interactions/patch';
import { readResource, vreadResource } from './interactions/read';
import { searchCompartment, searchSystem, searchType } from './interactions/search';
import { conditionalUpdate, updateResource } from './interactions/update';
import { findOperation } from './operations/registry';
import { bookPostedAppointment, isSlotBooking } from './scheduling/appointment-booking';
import { withSchedulingEffects } from './scheduling/scheduling-writes';
import { badRequest, methodNotAllowed, notFound, unsupportedMediaType } from './outcomes';
import { authorizeRoute } from './route-authorization';
import { isValidId } from './validation/resource-id';

type Params = Record<'type' | 'id' | 'vid' | 'op' | 'member', string>;
type Handler = (ctx: FhirContext, request: FhirRequest, params: Params) => Promise<FhirResponse>;

interface Route {
  readonly method: HttpMethod;
  /** Path segments; `:type`, `:id`, `:vid` and `:op` are placeholders. */
  readonly pattern: readonly string[];
  readonly handle: Handler;
}

/** The FHIR REST interaction table (http://hl7.org/fhir/R4/http.html#summary). */
const ROUTES: readonly Route[] = [
  route('GET', 'metadata', async (ctx) => {
    await ctx.repo.syncSearchParameters();
    return { status: 200, resource: capabilityStatement(ctx.baseUrl, ctx.oauth, ctx.repo.searchParameters, ctx.subscriptionChannels) };
  }),
  route('GET', '', (ctx, req) => searchSystem(ctx, req)),
  route('POST', '', (ctx, req) => processBundle(ctx, req, dispatch)),
  route('POST', '_search', (ctx, req) => searchSystem(ctx, requireFormSearch(req))),
  route('GET', '_history', (ctx, req) => historyBundle(ctx, req, {})),
  route('GET', ':op', (ctx, req, p) => invokeOperation(ctx, req, p, 'system')),
  route('POST', ':op', (ctx, req, p) => invokeOperation(ctx, req, p, 'system')),
  route('GET', ':type', (ctx, req, p) => searchType(ctx, req, p.type)),
  route('POST', ':type/_search', (ctx, req, p) => searchType(ctx, requireFormSearch(req), p.type)),
  route('POST', ':type', (ctx, req, p) =>
    isSlotBooking(p.type, req.body)
      ? bookPostedAppointment(ctx, req.body)
      : withSchedulingEffects(ctx, p.type, (c) => createResource(c, p.type, req.body, { ifNoneExist: req.headers.ifNoneExist })),
  ),
  route('PUT', ':type', (ctx, req, p) => conditionalUpdate(ctx, p.type, requireCriteria(req), req.body, { ifMatch: req.headers.ifMatch })),
  route('PATCH', ':type', (ctx, req, p) =>
    withSchedulingEffects(ctx, p.type, (c) =>
      conditionalPatch(c, p.type, requireCriteria(req), req.body, { contentType: req.contentType, ifMatch: req.headers.ifMatch }),
    ),
  ),
  route('DELETE', ':type', (ctx, req, p) => conditionalDelete(ctx, p.type, requireCriteria(req))),
  route('GET', ':type/_history', (ctx, req, p) => historyBundle(ctx, req, { resourceType: p.type })),
  route('GET', ':type/:op', (ctx, req, p) => invokeOperation(ctx, req, p, 'type')),
  route('POST', ':type/:op', (ctx, req, p) => invokeOperation(ctx, req, p, 'type')),
  route('GET', ':type/:id', (ctx, req, p) => readResource(ctx, p.type, p.id, req.query, req.headers)),
  route('PUT', ':type/:id', (ctx, req, p) =>
    withSchedulingEffects(ctx, p.type, (c) => updateResource(c, p.type, p.id, req.body, { ifMatch: req.headers.ifMatch })),
  ),
  route('PATCH', ':type/:id', (ctx, req, p) =>
    withSchedulingEffects(ctx, p.type, (c) =>
      patchResource(c, p.type, p.id, req.body, { contentType: req.contentType, ifMatch: req.headers.ifMatch }),
    ),
  ),
  route('DELETE', ':type/:id', (ctx, req, p) => deleteResource(ctx, p.type, p.id, { ifMatch: req.headers.ifMatch })),
  route('GET', ':type/:id/_history', (ctx, req, p) => historyBundle(ctx, req, { resourceType: p.type, id: p.id })),
  route('GET', ':type/:id/_history/:vid', (ctx, req, p) => vreadResource(ctx, p.type, p.id, p.vid, req.query)),
  route('GET', ':type/:id/:op', (ctx, req, p) => invokeOperation(ctx, req, p, 'instance')),
  route('POST', ':type/:id/:op', (ctx, req, p) => invokeOperation(ctx, req, p, 'instance')),
  route('GET', ':type/:id/:member', (ctx, req, p) => searchCompartment(ctx, req, p.type, p.id, p.member)),
];

function route(method: HttpMethod, path: string, handle: Handler): Route {
  return { method, pattern: path === '' ? [] : path.split('/'), handle };
}

/** Routes one FHIR request to its interaction or operation. Throws OutcomeError on failure. */
export async function dispatch(ctx: FhirContext, request: FhirRequest): Promise<FhirResponse> {
  const segments = request.path === '' ? [] : request.path.split('/');
  let pathMatched = false;
  for (const candidate of ROUTES) {
    const params = matchPattern(candidate.pattern, segments);
    if (!params) {
      continue;
    }
    if (candidate.method !== request.method) {
      pathMatched = true;
      continue;
    }
    authorizeRoute(ctx, candidate.method, candidate.pattern, params.type);
    return candidate.handle(ctx, request, params);
  }
  if (pathMatched) {
    throw methodNotAllowed(`${request.method} is not supported on /${request.path}`);
  }
  throw notFound(`No FHIR interaction at /${request.path}`);
}

/** Binds the placeholders of a pattern; throws for a well-placed but invalid type or id. */
function matchPattern(pattern: readonly string[], segments: readonly string[]): Params | undefined {
  if (pattern.length !== segments.length) {
    return undefined;
  }
  const params = { type: '', id: '', vid: '', op: '', member: '' };
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i];
    const actual = segments[i];
    if (expected === ':op') {
      if (!actual.startsWith('$')) {
        return undefined;
      }
      params.op = actual.slice(1);
    } else if (expected === ':type') {
      if (actual.startsWith('$') || actual.startsWith('_') || actual === 'metadata') {
        return undefined;
      }
      if (!isResourceType(actual)) {
        throw notFound(`Unknown resource type "${actual}"`);
      }
      params.type = actual;
    } else if (expected === ':id') {
      if (actual.startsWith('$') || actual.startsWith('_')) {
        return undefined;
      }
      if (!isValidId(actual)) {
        throw badRequest(`"${actual}" is not a valid FHIR id`);
      }
      params.id = actual;
    } else if (expected === ':member') {
      // A compartment search's resource type, or `*` for all types in the compartment.
      if (actual !== '*' && !isResourceType(actual)) {
        return undefined;
      }
      params.member = actual;
    } else if (expected === ':vid') {
      params.vid = actual;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/**
 * `POST _search` takes its parameters form-encoded (search.html#search): a JSON body would
 * otherwise be ignored and the search run without the filters the client meant to send.
 */
function requireFormSearch(request: FhirRequest): FhirRequest {
  if (request.body !== undefined) {
    throw unsupportedMediaType('POST _search takes its parameters as application/x-www-form-urlencoded');
  }
  return request;
}

function requireCriteria(request: FhirRequest): string {
  const criteria = request.query.toString();
  if (!criteria) {
    throw methodNotAllowed(`${request.method} on a resource type needs search criteria (conditional ${request.method})`);
  }
  return criteria;
}

async function invokeOperation(
  ctx: FhirContext,
  request: FhirRequest,
  params: Params,
  level: 'system' | 'type' | 'instance',
): Promise<FhirResponse> {
  const operation = findOperation(params.op, level, params.type || undefined);
  if (!operation) {
    throw notFound(`Operation $${params.op} is not supported at ${level} level${params.type ? ` on ${params.type}` : ''}`);
  }
  if (request.method === 'GET' && operation.definition.affectsState) {
    throw methodNotAllowed(`$${params.op} changes data and must be invoked with POST`);
  }
  if (level === 'instance') {
    const current = await ctx.repo.readCurrent(params.type, params.id);
    if (!current || current.deleted) {
      throw notFound(`${params.type}/${params.id} not found`);
    }
  }
  return operation.handle(ctx, request, { resourceType: params.type || undefined, id: params.id || undefined });
}
