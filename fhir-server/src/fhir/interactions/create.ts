import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { hasWriteRules } from '../../domain/write-rules';
import { checkStatusChange } from '../consultations/status-rules';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { requireValidResource } from '../validation/resource-validator';
import { lockConditionalMatch } from './conditional-match';
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
    const match = await lockConditionalMatch(txCtx, resourceType, criteria);
    return match ? storedResponse(match, 200) : insertNew(txCtx, resource, options.assignedId ?? randomUUID());
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
