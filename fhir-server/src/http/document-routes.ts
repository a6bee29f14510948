import { Readable } from 'node:stream';
import type { Binary } from '@medplum/fhirtypes';
import type { Context, Next } from 'koa';
import { FULL_ACCESS } from '../auth/access-context';
import { ANONYMOUS } from '../auth/principal';
import { RequestAudit } from '../domain/audit/request-audit';
import { SIGNED_URL_PATH, type DocumentStorage } from '../domain/documents/document-storage';
import { createBinary, openBinary, storeContent, type IncomingContent } from '../fhir/documents/binary-content';
import { prepareDocumentUpload, writeDocument } from '../fhir/documents/document-upload';
import type { FhirContext, FhirRequest } from '../fhir/fhir-request';
import { badRequest, forbidden, methodNotAllowed, unauthorized, unsupportedMediaType } from '../fhir/outcomes';
import { isValidId } from '../fhir/validation/resource-id';
import { sendBinary } from './binary-stream';
import { fhirContextFor, writeResponse, type FhirEndpointOptions } from './fhir-adapter';
import { readMultipart } from './multipart-upload';
import { readRequestBody } from './request-body';

export interface DocumentRoutesOptions extends FhirEndpointOptions {
  readonly documents: DocumentStorage;
}

const JSON_TYPES = new Set(['application/fhir+json', 'application/json']);

/**
 * The routes where document bytes cross HTTP, ahead of the JSON-only FHIR endpoint:
 * `POST Binary` with raw bytes (or JSON with `data`), `GET Binary/{id}` as the bytes themselves
 * (Range supported) unless FHIR JSON is asked for, `DocumentReference/$upload` (multipart),
 * and the signed download URLs under `/documents/`. Binary content is immutable: PUT and
 * PATCH are refused; after a DELETE the bytes are retained (kept or moved aside).
 */
export function documentRoutes(options: DocumentRoutesOptions) {
  const binaryPath = `${options.basePath}/Binary`;
  return async (ctx: Context, next: Next): Promise<void> => {
    const path = ctx.path.replace(/\/+$/, '');
    if (path.startsWith(`${SIGNED_URL_PATH}/`) && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      return signedDownload(ctx, options, path.slice(SIGNED_URL_PATH.length + 1));
    }
    if (path === `${options.basePath}/DocumentReference/$upload` && ctx.method === 'POST') {
      return uploadForm(ctx, options);
    }
    if (path === binaryPath && ctx.method === 'POST') {
      return uploadBinary(ctx, options);
    }
    const id = path.startsWith(`${binaryPath}/`) ? path.slice(binaryPath.length + 1) : undefined;
    if (id === undefined || id.includes('/') || !isValidId(id)) {
      return next();
    }
    switch (ctx.method) {
      case 'GET':
      case 'HEAD':
        return wantsFhirJson(ctx) ? next() : downloadBinary(ctx, options, id);
      case 'PUT':
      case 'PATCH':
        throw methodNotAllowed('Binary content cannot be changed; upload a new Binary');
      case 'DELETE':
        await next();
        if (ctx.status < 300) {
          await options.documents.retire(id);
        }
        return;
      default:
        return next();
    }
  };
}

function contextFor(ctx: Context, options: DocumentRoutesOptions, method: FhirRequest['method'], path: string): FhirContext {
  const request: FhirRequest = { method, path, query: new URLSearchParams(ctx.querystring), headers: {} };
  return fhirContextFor(ctx, options, request);
}

async function uploadBinary(ctx: Context, options: DocumentRoutesOptions): Promise<void> {
  const fhirCtx = contextFor(ctx, options, 'POST', 'Binary');
  const contentType = ctx.get('Content-Type') ? ctx.request.type.toLowerCase() : undefined;
  let content: IncomingContent;
  let securityContext = ctx.get('X-Security-Context') || undefined;
  if (contentType && JSON_TYPES.has(contentType)) {
    const binary = (await readRequestBody(ctx.req, contentType, options.limits)).json as Binary | undefined;
    if (binary?.resourceType !== 'Binary' || typeof binary.data !== 'string' || typeof binary.contentType !== 'string') {
      throw badRequest('A Binary sent as JSON needs contentType and data (base64); or send the raw bytes with their Content-Type');
    }
    securityContext ??= binary.securityContext?.reference;
    content = { body: Readable.from([Buffer.from(binary.data, 'base64')]), contentType: binary.contentType };
  } else {
    if (!contentType) {
      throw unsupportedMediaType('Send the document with its Content-Type');
    }
    const length = ctx.get('Content-Length');
    content = { body: ctx.req, contentType, declaredLength: length ? Number(length) : undefined };
  }
  writeResponse(ctx, await createBinary(fhirCtx, content, securityContext));
}

async function uploadForm(ctx: Context, options: DocumentRoutesOptions): Promise<void> {
  if (!ctx.is('multipart/form-data')) {
    throw unsupportedMediaType('DocumentReference/$upload takes multipart/form-data: a file part named "file" after the fields');
  }
  const fhirCtx = contextFor(ctx, options, 'POST', 'DocumentReference/$upload');
  let prepared: Awaited<ReturnType<typeof prepareDocumentUpload>> | undefined;
  const form = await readMultipart(ctx, {
    async storeFile(stream, part, fieldsBefore) {
      prepared = await prepareDocumentUpload(fhirCtx, fieldsBefore);
      const length = ctx.get('Content-Length');
      // The whole form's length bounds the file's: refuse at once what cannot fit.
      const declaredLength = length && Number(length) > options.documents.maxBytes + 64 * 1024 ? Number(length) : undefined;
      return storeContent(fhirCtx, { body: stream as Readable, contentType: part.contentType, declaredLength });
    },
    discardFile: (stored) => options.documents.discard(stored.binaryId),
  });
  writeResponse(ctx, await writeDocument(fhirCtx, { ...form.file, fileName: form.fileName }, prepared!, form.fields));
}

async function downloadBinary(ctx: Context, options: DocumentRoutesOptions, id: string): Promise<void> {
  const fhirCtx = contextFor(ctx, options, 'GET', `Binary/${id}`);
  if (!fhirCtx.access.permits('Binary', 'r')) {
    throw fhirCtx.access.principal.kind === 'anonymous'
      ? unauthorized('Reading a Binary needs an access token or a signed URL')
      : forbidden('The access token does not permit read on Binary');
  }
  await sendBinary(ctx, options.documents, await openBinary(fhirCtx, id));
}

/** A signed URL is its own authority: no token; the grant names one Binary and an expiry. */
async function signedDownload(ctx: Context, options: DocumentRoutesOptions, token: string): Promise<void> {
  const check = options.documents.checkDownload(token);
  if (!check.ok) {
    throw forbidden(check.reason === 'expired' ? 'This download link has expired; ask for a new one' : 'This download link is not valid');
  }
  const { grant } = check;
  const trail = new RequestAudit({
    principal: ANONYMOUS,
    interaction: 'read',
    requestId: ctx.state.requestId as string,
    sourceIp: ctx.ip,
    detail: `Download through a signed URL issued to ${grant.issuedTo}, valid until ${new Date(grant.expires * 1000).toISOString()}`,
  });
  ctx.state.requestAudit = trail;
  const fhirCtx: FhirContext = {
    repo: options.repo.withAccess(FULL_ACCESS, trail),
    access: FULL_ACCESS,
    baseUrl: options.baseUrl,
    documents: options.documents,
  };
  await sendBinary(ctx, options.documents, await openBinary(fhirCtx, grant.binaryId));
}

/** FHIR JSON (the Binary resource) rather than the bytes: `_format=json` or an Accept naming JSON. */
function wantsFhirJson(ctx: Context): boolean {
  const format = ctx.query._format;
  if (typeof format === 'string' && format.includes('json')) {
    return true;
  }
  const accept = ctx.get('Accept');
  return /application\/(fhir\+)?json/.test(accept);
}
