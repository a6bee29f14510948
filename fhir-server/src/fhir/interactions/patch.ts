import type { Resource } from '@medplum/fhirtypes';
import { applyPatch, JsonPatchError, validate, type Operation } from 'fast-json-patch';
import { checkStatusChange } from '../consultations/status-rules';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { badRequest, unprocessable, unsupportedMediaType } from '../outcomes';
import { requireValidResource } from '../validation/resource-validator';
import { checkIfMatch, parseStored, requireLive } from './stored-resource';
import { lockCurrent, writeNextVersion } from './update';

export const JSON_PATCH_CONTENT_TYPE = 'application/json-patch+json';

/** http://hl7.org/fhir/R4/http.html#patch with JSON Patch (RFC 6902). */
export async function patchResource(
  ctx: FhirContext,
  resourceType: string,
  id: string,
  body: unknown,
  options: { contentType?: string; ifMatch?: string },
): Promise<FhirResponse> {
  if (options.contentType !== JSON_PATCH_CONTENT_TYPE) {
    throw unsupportedMediaType(`PATCH supports ${JSON_PATCH_CONTENT_TYPE} only`);
  }
  const operations = requirePatchDocument(body);
  return ctx.repo.transaction(async (repo) => {
    const current = requireLive(await lockCurrent(repo, resourceType, id), resourceType, id);
    checkIfMatch(options.ifMatch, current);
    const patched = applyOperations(parseStored(current), operations);
    if (patched.resourceType !== resourceType || patched.id !== id) {
      throw unprocessable('A patch must not change resourceType or id');
    }
    const valid = (await requireValidResource({ ...ctx, repo }, patched, resourceType)) as Resource & { id: string };
    checkStatusChange(ctx.access, current, valid);
    return writeNextVersion({ ...ctx, repo }, valid, 'PATCH', undefined, current);
  });
}

function requirePatchDocument(body: unknown): Operation[] {
  if (!Array.isArray(body)) {
    throw badRequest('A JSON Patch document must be an array of operations');
  }
  const error = validate(body as Operation[]);
  if (error) {
    throw badRequest(`Invalid JSON Patch operation: ${error.message.split('\n')[0]}`);
  }
  return body as Operation[];
}

function applyOperations(resource: Resource, operations: Operation[]): Resource {
  try {
    return applyPatch(resource, operations, true, false, true).newDocument;
  } catch (error) {
    if (error instanceof JsonPatchError) {
      // A failed `test` operation or a path that does not exist: the patch cannot apply here.
      throw unprocessable(`The patch could not be applied: ${error.name} at operation ${Number(error.index ?? 0)}`);
    }
    throw error;
  }
}
