import type { SubscriptionChannels } from '../fhir/fhir-request';
import type { Context } from 'koa';
import { accessContextFor, type AccessContext } from '../auth/access-context';
import { ANONYMOUS, type Principal } from '../auth/principal';
import type { OAuthUris } from '../auth/smart-configuration';
import { restInteraction } from '../domain/audit/audit-event';
import type { ConsultationServices } from '../domain/consultations/consultation-services';
import { RequestAudit } from '../domain/audit/request-audit';
import type { SchedulingSettings } from '../domain/scheduling/scheduling-settings';
import type { DocumentStorage } from '../domain/documents/document-storage';
import type { PrescriptionDocuments } from '../domain/prescriptions/prescription-view';
import type { BulkExporter } from '../fhir/bulk-export/bulk-exporter';
import type { BulkImporter } from '../fhir/bulk-import/bulk-importer';
import type { FhirContext, FhirRequest, FhirRequestHeaders, FhirResponse, HttpMethod } from '../fhir/fhir-request';
import { badRequest, informational, methodNotAllowed, notAcceptable, unsupportedMediaType } from '../fhir/outcomes';
import { dispatch } from '../fhir/router';
import type { FhirRepository } from '../storage/fhir-repository';
import { readRequestBody, type BodyLimits } from './request-body';

export const FHIR_JSON = 'application/fhir+json';
const FHIR_JSON_UTF8 = `${FHIR_JSON}; charset=utf-8`;
/** DSTU2's name for FHIR JSON, still sent by older clients (and accepted by other servers). */
const DSTU2_FHIR_JSON = 'application/json+fhir';
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export interface FhirEndpointOptions extends FhirServiceOptions {
  readonly basePath: string;
  readonly limits: BodyLimits;
}

/** What a request's FhirContext is built from. */
export interface FhirServiceOptions {
  /** Storage; bound to each request's AccessContext before any handler sees it. */
  readonly repo: FhirRepository;
  /** Absolute FHIR base URL, for links and Location headers. */
  readonly baseUrl: string;
  /** SMART OAuth2 endpoints for the CapabilityStatement. */
  readonly oauth?: OAuthUris;
  /** Scheduling policy (horizon, cancel window, hold length). */
  readonly scheduling?: SchedulingSettings;
  /** Waiting room and video, for the consultation operations. */
  readonly consultations?: ConsultationServices;
  /** The bytes behind Binary resources. */
  readonly documents?: DocumentStorage;
  /** Renders and signs prescription PDFs (`MedicationRequest/$pdf`). */
  readonly prescriptionDocuments?: PrescriptionDocuments;
  /** Runs Bulk Data $export jobs. */
  readonly bulkExport?: BulkExporter;
  /** The Subscription WebSocket and Web Push (`$get-ws-binding-token`, the CapabilityStatement). */
  readonly subscriptionChannels?: SubscriptionChannels;
  /** Runs Bulk Data $import jobs. */
  readonly bulkImport?: BulkImporter;
}

/** AccessContexts per principal object (the authenticate middleware reuses principals per token). */
const accessByPrincipal = new WeakMap<Principal, AccessContext>();

/** The FhirContext of one request: storage seen through the caller's access (ctx.state.principal). */
export function fhirContextFor(ctx: Context, options: FhirServiceOptions, request: FhirRequest, detail?: string): FhirContext {
  const { repo, ...services } = options;
  const principal = (ctx.state.principal as Principal | undefined) ?? ANONYMOUS;
  let access = accessByPrincipal.get(principal);
  if (!access) {
    access = accessContextFor(principal);
    accessByPrincipal.set(principal, access);
  }
  const trail = new RequestAudit({
    principal,
    interaction: restInteraction(request.method, request.path, (request.body as { type?: string } | undefined)?.type),
    requestId: ctx.state.requestId as string,
    sourceIp: ctx.ip,
    query: ctx.querystring || undefined,
    detail,
  });
  ctx.state.requestAudit = trail;
  return { ...services, repo: repo.withAccess(access, trail), access };
}

/** Koa middleware serving the FHIR REST API below `basePath`: Koa ctx <-> FhirRequest/FhirResponse. */
export function fhirEndpoint(options: FhirEndpointOptions) {
  const { basePath } = options;
  return async (ctx: Context, next: () => Promise<void>): Promise<void> => {
    if (ctx.path !== basePath && !ctx.path.startsWith(basePath + '/')) {
      return next();
    }
    const request = await toFhirRequest(ctx, options);
    const { basePath: _basePath, limits: _limits, ...services } = options;
    const fhirContext = fhirContextFor(ctx, services, request);
    ctx.state.fhirContext = fhirContext;
    const response = await dispatch(fhirContext, request);
    // On the base URL (batch/transaction) Prefer applies to each entry, not to the response Bundle.
    const preferReturn = request.path === '' ? undefined : request.headers.preferReturn;
    writeResponse(ctx, response, preferReturn, request.query.get('_pretty') === 'true');
  };
}

async function toFhirRequest(ctx: Context, options: FhirEndpointOptions): Promise<FhirRequest> {
  const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
  if (!METHODS.has(method)) {
    throw methodNotAllowed(`HTTP method ${ctx.method} is not supported`);
  }
  const query = new URLSearchParams(ctx.querystring);
  requireJsonFormat(ctx, query.get('_format'));
  query.delete('_format');
  const path = decodePath(ctx.path.slice(options.basePath.length).replace(/^\/+|\/+$/g, ''));
  const requestType = ctx.get('Content-Type') ? ctx.request.type.toLowerCase() : undefined;
  const fhirVersion = requestType && mediaRange(ctx.get('Content-Type')).fhirVersion;
  if (fhirVersion && !R4_VERSION.test(fhirVersion)) {
    throw unsupportedMediaType(`Content-Type ${ctx.get('Content-Type')} is another FHIR version; this server speaks FHIR 4.0 (R4)`);
  }
  const contentType = requestType === DSTU2_FHIR_JSON ? FHIR_JSON : requestType;
  const body = await readRequestBody(ctx.req, contentType, options.limits);
  for (const [name, value] of body.form ?? []) {
    query.append(name, value);
  }
  return { method: method as HttpMethod, path, query, body: body.json, contentType, headers: requestHeaders(ctx) };
}

function decodePath(path: string): string {
  if (!path.includes('%')) {
    return path;
  }
  try {
    return path.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw badRequest('The URL path is not valid percent-encoding');
  }
}

/** Accept values that need no content negotiation: what FHIR clients send. */
const JSON_ACCEPTS = new Set(['*/*', FHIR_JSON, 'application/json', `${FHIR_JSON}; charset=utf-8`, 'application/json; charset=utf-8']);
/** Media ranges answered with FHIR JSON. */
const JSON_RANGES = new Set(['*/*', 'application/*', FHIR_JSON, 'application/json', DSTU2_FHIR_JSON]);
/** The `fhirVersion` media type parameter this server answers (http://hl7.org/fhir/R4/http.html#version-parameter). */
const R4_VERSION = /^4\.0(\.\d+)?$/;

/**
 * JSON only (http://hl7.org/fhir/R4/http.html#mime-type): XML and other formats get 406, and
 * so does a `fhirVersion` other than R4's 4.0 on every JSON range the client accepts.
 */
function requireJsonFormat(ctx: Context, formatParam: string | null): void {
  const format = formatParam?.toLowerCase();
  if (format && !['json', 'application/json', 'application/fhir+json'].includes(format)) {
    throw notAcceptable(`_format ${format} is not supported; this server speaks JSON only`);
  }
  const accept = ctx.headers.accept;
  if (!accept || JSON_ACCEPTS.has(accept)) {
    return;
  }
  const ranges = accept
    .split(',')
    .map(mediaRange)
    .filter((range) => range.quality > 0 && JSON_RANGES.has(range.type));
  if (ranges.length === 0) {
    throw notAcceptable(`Accept ${accept} cannot be satisfied; this server returns application/fhir+json`);
  }
  if (!ranges.some((range) => range.fhirVersion === undefined || R4_VERSION.test(range.fhirVersion))) {
    throw notAcceptable(`Accept ${accept} asks for another FHIR version; this server speaks FHIR 4.0 (R4)`);
  }
}

function mediaRange(text: string): { type: string; quality: number; fhirVersion?: string } {
  const [type, ...parameters] = text.split(';').map((part) => part.trim());
  const parameter = (name: string) =>
    parameters
      .find((p) => p.toLowerCase().startsWith(`${name.toLowerCase()}=`))
      ?.slice(name.length + 1)
      .replace(/^"|"$/g, '');
  const quality = Number(parameter('q') ?? 1);
  return { type: type.toLowerCase(), quality: Number.isNaN(quality) ? 0 : quality, fhirVersion: parameter('fhirVersion') };
}

function requestHeaders(ctx: Context): FhirRequestHeaders {
  const headers = ctx.headers;
  if (
    !headers['prefer'] &&
    !headers['if-match'] &&
    !headers['if-none-match'] &&
    !headers['if-none-exist'] &&
    !headers['if-modified-since']
  ) {
    return {};
  }
  const prefer = ctx.get('Prefer');
  const preferReturn = /return=(minimal|representation|OperationOutcome)/.exec(prefer)?.[1] as FhirRequestHeaders['preferReturn'];
  const preferHandling = /handling=(strict|lenient)/.exec(prefer)?.[1] as FhirRequestHeaders['preferHandling'];
  return {
    ifMatch: ctx.get('If-Match') || undefined,
    ifNoneMatch: ctx.get('If-None-Match') || undefined,
    ifNoneExist: ctx.get('If-None-Exist') || undefined,
    ifModifiedSince: ctx.get('If-Modified-Since') || undefined,
    preferReturn,
    preferHandling,
  };
}

export function writeResponse(
  ctx: Context,
  response: FhirResponse,
  preferReturn: FhirRequestHeaders['preferReturn'] = undefined,
  pretty = false,
): void {
  ctx.status = response.status;
  if (response.versionId !== undefined) {
    ctx.set('ETag', `W/"${response.versionId}"`);
  }
  if (response.lastUpdated) {
    ctx.set('Last-Modified', new Date(response.lastUpdated).toUTCString());
  }
  if (response.location) {
    ctx.set('Location', response.location);
    ctx.set('Content-Location', response.location);
  }
  const isWrite = ctx.method !== 'GET' && ctx.method !== 'HEAD';
  if (response.status === 204 || response.status === 304 || (isWrite && preferReturn === 'minimal')) {
    ctx.body = null;
    ctx.status = response.status;
    return;
  }
  let text: string | undefined;
  if (isWrite && preferReturn === 'OperationOutcome') {
    text = JSON.stringify(informational(`${ctx.method} succeeded with status ${response.status}`));
  } else if (response.resourceText !== undefined) {
    text = pretty ? JSON.stringify(JSON.parse(response.resourceText), null, 2) : response.resourceText;
  } else if (response.resource) {
    text = JSON.stringify(response.resource, null, pretty ? 2 : undefined);
  }
  if (text !== undefined) {
    // Set directly (ctx.type would look the type up in the mime database on every response), and
    // as a Buffer so the text is encoded once rather than measured and then encoded.
    ctx.set('Content-Type', FHIR_JSON_UTF8);
    ctx.body = Buffer.from(text, 'utf8');
  }
}
