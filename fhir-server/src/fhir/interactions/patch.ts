import type { Resource } from '@medplum/fhirtypes';
import { applyPatch, JsonPatchError, validate, type Operation } from 'fast-json-patch';
import { checkStatusChange } from '../consultations/status-rules';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { badRequest, notFound, unprocessable, unsupportedMediaType } from '../outcomes';
import { applyFhirPathPatch, parseFhirPathPatch } from '../patch/fhirpath-patch';
import { requireValidParameters, requireValidResource } from '../validation/resource-validator';
import { lockConditionalMatch } from './conditional-match';
import { checkIfMatch, parseStored, requireLive } from './stored-resource';
import { lockCurrent, writeNextVersion } from './update';

export const JSON_PATCH_CONTENT_TYPE = 'application/json-patch+json';
/** FHIRPath Patch travels as a Parameters resource in the FHIR media type. */
const FHIRPATH_PATCH_CONTENT_TYPES: readonly string[] = ['application/fhir+json', 'application/json'];
const RFC_6902_OPERATIONS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);
/** Pointer tokens that would reach an object's prototype: never a FHIR element. */
const BANNED_TOKENS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * http://hl7.org/fhir/R4/http.html#patch with JSON Patch (RFC 6902) or FHIRPath Patch
 * (fhirpatch.html, a Parameters body); the patched resource is validated like any update.
 */
export async function patchResource(
  ctx: FhirContext,
  resourceType: string,
  id: string,
  body: unknown,
  options: { contentType?: string; ifMatch?: string },
): Promise<FhirResponse> {
  const patch = patchOf(body, options.contentType);
  return ctx.repo.transaction((repo) => patchInTransaction({ ...ctx, repo }, resourceType, id, patch, options.ifMatch));
}

/**
 * Conditional patch (http://hl7.org/fhir/R4/http.html#patch): `PATCH [type]?[criteria]` patches
 * the one resource the criteria find; none is a 404, several a 412.
 */
export async function conditionalPatch(
  ctx: FhirContext,
  resourceType: string,
  criteria: string,
  body: unknown,
  options: { contentType?: string; ifMatch?: string },
): Promise<FhirResponse> {
  const patch = patchOf(body, options.contentType);
  return ctx.repo.transaction(async (repo) => {
    const txCtx = { ...ctx, repo };
    const match = await lockConditionalMatch(txCtx, resourceType, criteria);
    if (!match) {
      throw notFound(`No ${resourceType} matches "${criteria}"`);
    }
    return patchInTransaction(txCtx, resourceType, match.id, patch, options.ifMatch);
  });
}

async function patchInTransaction(
  ctx: FhirContext,
  resourceType: string,
  id: string,
  patch: (resource: Resource) => Resource,
  ifMatch: string | undefined,
): Promise<FhirResponse> {
  const current = requireLive(await lockCurrent(ctx.repo, resourceType, id), resourceType, id);
  checkIfMatch(ifMatch, current);
  const patched = patch(parseStored(current));
  // A patch of the whole document (`""`) may leave no object at all.
  if (typeof patched !== 'object' || patched === null || patched.resourceType !== resourceType || patched.id !== id) {
    throw unprocessable('A patch must leave a resource of the same resourceType and id');
  }
  const valid = (await requireValidResource(ctx, patched, resourceType)) as Resource & { id: string };
  checkStatusChange(ctx.access, current, valid);
  return writeNextVersion(ctx, valid, 'PATCH', undefined, current);
}

/** The patch a request body spells, checked before anything is read. */
function patchOf(body: unknown, contentType: string | undefined): (resource: Resource) => Resource {
  if (contentType === JSON_PATCH_CONTENT_TYPE) {
    const operations = requirePatchDocument(body);
    return (resource) => applyOperations(resource, operations);
  }
  if (contentType !== undefined && FHIRPATH_PATCH_CONTENT_TYPES.includes(contentType)) {
    if ((body as { resourceType?: unknown } | null)?.resourceType !== 'Parameters') {
      throw badRequest('A FHIRPath Patch body is a Parameters resource');
    }
    const operations = parseFhirPathPatch(requireValidParameters(body).parameter ?? []);
    return (resource) => applyFhirPathPatch(resource, operations);
  }
  throw unsupportedMediaType(`PATCH takes ${JSON_PATCH_CONTENT_TYPE} (JSON Patch) or application/fhir+json (FHIRPath Patch)`);
}

function requirePatchDocument(body: unknown): Operation[] {
  if (!Array.isArray(body)) {
    throw badRequest('A JSON Patch document must be an array of operations');
  }
  const error = validate(body as Operation[]);
  if (error) {
    throw badRequest(`Invalid JSON Patch operation: ${error.message.split('\n')[0]}`);
  }
  const operations = body as Operation[];
  for (const [index, operation] of operations.entries()) {
    if (!RFC_6902_OPERATIONS.has(operation.op)) {
      throw badRequest(`Invalid JSON Patch operation ${index}: op must be one of ${[...RFC_6902_OPERATIONS].join(', ')}`);
    }
    const from = 'from' in operation ? operation.from : undefined;
    if ([operation.path, from].some((pointer) => pointer !== undefined && pointer.split('/').some((token) => BANNED_TOKENS.has(token)))) {
      throw badRequest(`Invalid JSON Patch operation ${index}: its path names no FHIR element`);
    }
    // RFC 6902 section 4.4: the from location must not be a proper prefix of the path.
    if (operation.op === 'move' && operation.path.startsWith(`${operation.from}/`)) {
      throw badRequest(`Invalid JSON Patch operation ${index}: a value cannot be moved into itself`);
    }
  }
  return operations;
}

function applyOperations(resource: Resource, operations: Operation[]): Resource {
  try {
    return applyPatch(resource, operations, true, false, true).newDocument;
  } catch (error) {
    if (error instanceof JsonPatchError) {
      // A failed `test` operation or a path that does not exist: the patch cannot apply here.
      throw unprocessable(`The patch could not be applied: ${error.name} at operation ${Number(error.index ?? 0)}`);
    }
    // fast-json-patch throws plain TypeErrors for some patches it cannot apply (removing the
    // whole document, say); it works on a copy, so nothing stored is touched.
    throw unprocessable(`The patch could not be applied: ${(error as Error).message.split('\n')[0]}`);
  }
}
