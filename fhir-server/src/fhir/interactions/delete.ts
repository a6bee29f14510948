import type { FhirContext, FhirResponse } from '../fhir-request';
import { lockConditionalMatch } from './conditional-match';
import { checkIfMatch } from './stored-resource';
import { lockCurrent } from './update';
import { enforceWriteRules } from './write-rules';

/**
 * http://hl7.org/fhir/R4/http.html#delete: records a deletion as a new version. Deleting a
 * resource that is already deleted, or never existed, succeeds with no effect (204).
 */
export async function deleteResource(
  ctx: FhirContext,
  resourceType: string,
  id: string,
  options: { ifMatch?: string } = {},
): Promise<FhirResponse> {
  return ctx.repo.transaction((repo) => deleteLocked({ ...ctx, repo }, resourceType, id, options.ifMatch));
}

/** `ctx.repo` is the transaction's repository. */
async function deleteLocked(ctx: FhirContext, resourceType: string, id: string, ifMatch?: string): Promise<FhirResponse> {
  const { repo } = ctx;
  const current = await lockCurrent(repo, resourceType, id);
  checkIfMatch(ifMatch, current);
  if (!current || current.deleted) {
    return { status: 204 };
  }
  await enforceWriteRules(ctx, 'DELETE', current, undefined);
  const versionId = current.versionId + 1;
  const lastUpdated = new Date().toISOString();
  await repo.writeVersion({
    resource: { resourceType: resourceType as 'Patient', id },
    versionId,
    lastUpdated,
    method: 'DELETE',
    deleted: true,
  });
  return { status: 204, versionId, lastUpdated };
}

/** http://hl7.org/fhir/R4/http.html#cdelete: one match is deleted, several are a 412. */
export async function conditionalDelete(ctx: FhirContext, resourceType: string, criteria: string): Promise<FhirResponse> {
  return ctx.repo.transaction(async (repo) => {
    const match = await lockConditionalMatch({ ...ctx, repo }, resourceType, criteria);
    return match ? deleteLocked({ ...ctx, repo }, resourceType, match.id) : { status: 204 };
  });
}
