import type { Resource } from '@medplum/fhirtypes';
import type { FhirRepository, StoredVersion } from '../../storage/fhir-repository';
import { checkStatusChange } from '../consultations/status-rules';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { badRequest } from '../outcomes';
import { requireValidResource } from '../validation/resource-validator';
import { lockConditionalMatch } from './conditional-match';
import { createResource } from './create';
import { checkIfMatch, resourceLockKey, stampMeta } from './stored-resource';
import { enforceWriteRules } from './write-rules';

/**
 * http://hl7.org/fhir/R4/http.html#update. A PUT to an id that does not exist creates it
 * (update-as-create, 201); one to a deleted id brings it back as the next version.
 */
export async function updateResource(
  ctx: FhirContext,
  resourceType: string,
  id: string,
  body: unknown,
  options: { ifMatch?: string } = {},
): Promise<FhirResponse> {
  const resource = await requireValidResource(ctx, body, resourceType);
  if (resource.id === undefined) {
    throw badRequest('The resource in an update must carry its id', `${resourceType}.id`);
  }
  if (resource.id !== id) {
    throw badRequest(`Resource id "${resource.id}" does not match the URL id "${id}"`, `${resourceType}.id`);
  }
  return ctx.repo.transaction(async (repo) => {
    const current = await lockCurrent(repo, resourceType, id);
    checkStatusChange(ctx.access, current, resource);
    return writeNextVersion({ ...ctx, repo }, resource as Resource & { id: string }, 'PUT', options.ifMatch, current);
  });
}

/** Takes the resource's write lock and reads its current version (read-modify-write). */
export async function lockCurrent(repo: FhirRepository, resourceType: string, id: string): Promise<StoredVersion | undefined> {
  await repo.lock(resourceLockKey(resourceType, id));
  return repo.readCurrent(resourceType, id);
}

/**
 * The write shared by update and patch, under the lock of lockCurrent (`ctx.repo` is the
 * transaction's): check version and domain rules, write n+1.
 */
export async function writeNextVersion(
  ctx: FhirContext,
  resource: Resource & { id: string },
  method: 'PUT' | 'PATCH',
  ifMatch: string | undefined,
  current: StoredVersion | undefined,
): Promise<FhirResponse> {
  checkIfMatch(ifMatch, current);
  await enforceWriteRules(ctx, method, current, resource);
  const { repo, baseUrl } = ctx;
  const versionId = (current?.versionId ?? 0) + 1;
  const lastUpdated = new Date().toISOString();
  const stamped = stampMeta(resource, resource.id, versionId, lastUpdated);
  await repo.writeVersion({ resource: stamped, versionId, lastUpdated, method, deleted: false });
  const created = !current || current.deleted;
  return {
    status: created ? 201 : 200,
    resource: stamped,
    versionId,
    lastUpdated,
    location: created ? `${baseUrl}/${resource.resourceType}/${resource.id}/_history/${versionId}` : undefined,
  };
}

/** http://hl7.org/fhir/R4/http.html#cond-update: PUT [type]?[criteria]. */
export async function conditionalUpdate(
  ctx: FhirContext,
  resourceType: string,
  criteria: string,
  body: unknown,
  options: { ifMatch?: string } = {},
): Promise<FhirResponse> {
  const resource = await requireValidResource(ctx, body, resourceType);
  return ctx.repo.transaction(async (repo) => {
    const txCtx = { ...ctx, repo };
    const match = await lockConditionalMatch(txCtx, resourceType, criteria);
    if (!match) {
      if (!resource.id) {
        return createResource(txCtx, resourceType, resource);
      }
      const current = await lockCurrent(repo, resourceType, resource.id);
      checkStatusChange(ctx.access, current, resource);
      return writeNextVersion({ ...ctx, repo }, resource as Resource & { id: string }, 'PUT', options.ifMatch, current);
    }
    if (resource.id !== undefined && resource.id !== match.id) {
      throw badRequest(`Resource id "${resource.id}" does not match the resource the criteria found`, `${resourceType}.id`);
    }
    const current = await lockCurrent(repo, resourceType, match.id);
    checkStatusChange(ctx.access, current, resource);
    return writeNextVersion(txCtx, { ...resource, id: match.id }, 'PUT', options.ifMatch, current);
  });
}
