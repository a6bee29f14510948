import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { hasWriteRules } from '../../domain/write-rules';
import { checkStatusChange } from '../consultations/status-rules';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { multipleMatches } from '../outcomes';
import { requireValidResource } from '../validation/resource-validator';
import { criteriaLockKey, findConditionalMatches } from './conditional-match';
import { stampMeta, storedResponse } from './stored-resource';
import { enforceWriteRules } from './write-rules';

export interface CreateOptions {
  /** `If-None-Exist` criteria (conditional create). */
  readonly ifNoneExist?: string;
  /** Id to use instead of a new UUID (transactions pre-assign ids for urn:uuid entries). */
  readonly assignedId?: string;
}

/** http://hl7.org/fhir/R4/http.html#create: a new resource with a server-assigned id. */
export async function createResource(
  ctx: FhirContext,
  resourceType: string,
  body: unknown,
  options: CreateOptions = {},
): Promise<FhirResponse> {
  const resource = await requireValidResource(ctx, body, resourceType);
  checkStatusChange(ctx.access, undefined, resource);
  if (!options.ifNoneExist) {
    const id = options.assignedId ?? randomUUID();
    // Domain rules may read and write other resources (aggregates): all in one transaction.
    return hasWriteRules(resourceType)
      ? ctx.repo.transaction((repo) => insertNew({ ...ctx, repo }, resource, id))
      : insertNew(ctx, resource, id);
  }
  const criteria = options.ifNoneExist;
  return ctx.repo.transaction(async (repo) => {
    const txCtx = { ...ctx, repo };
    await repo.lock(criteriaLockKey(resourceType, criteria));
    const matches = await findConditionalMatches(txCtx, resourceType, criteria);
    if (matches.length > 1) {
      throw multipleMatches(`If-None-Exist criteria "${criteria}" match more than one ${resourceType}`);
    }
    if (matches.length === 1) {
      return storedResponse(matches[0], 200);
    }
    return insertNew(txCtx, resource, options.assignedId ?? randomUUID());
  });
}

async function insertNew(ctx: FhirContext, resource: Resource, id: string): Promise<FhirResponse> {
  await enforceWriteRules(ctx, 'POST', undefined, resource);
  const lastUpdated = new Date().toISOString();
  const stamped = stampMeta(resource, id, 1, lastUpdated);
  await ctx.repo.writeVersion({ resource: stamped, versionId: 1, lastUpdated, method: 'POST', deleted: false });
  return {
    status: 201,
    resource: stamped,
    versionId: 1,
    lastUpdated,
    location: `${ctx.baseUrl}/${resource.resourceType}/${id}/_history/1`,
  };
}
