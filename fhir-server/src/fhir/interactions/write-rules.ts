import type { Resource } from '@medplum/fhirtypes';
import { applyClientWriteRules, checkClientWrite, enforcedProfile } from '../../domain/write-rules';
import type { StoredVersion, WriteMethod } from '../../storage/fhir-repository';
import type { FhirContext } from '../fhir-request';
import { invalidResource } from '../outcomes';
import { withRuleOutcomes } from '../rule-outcome';
import { terminologyFor } from '../terminology/resolve-canonical';
import { profileIssues } from '../validation/profile-conformance';

/**
 * The domain rules of a client write (create, update, patch, delete), applied just before it is
 * stored, inside its transaction and lock: the profile the type must conform to, then the
 * rules of domain/write-rules.ts and the writes they entail. `ctx.repo` is the transaction's
 * repository. `checkOnly` (`$validate` with a mode): the checks, without the entailed writes.
 */
export async function enforceWriteRules(
  ctx: FhirContext,
  method: WriteMethod,
  current: StoredVersion | undefined,
  after: Resource | undefined,
  options: { readonly checkOnly?: boolean } = {},
): Promise<void> {
  const resourceType = (after?.resourceType ?? current?.resourceType) as string;
  const profile = after && enforcedProfile(after, ctx.access);
  if (after && profile && !(after.meta?.profile ?? []).includes(profile)) {
    const issues = await profileIssues(after, [profile], terminologyFor(ctx));
    if (issues.length > 0) {
      throw invalidResource({ resourceType: 'OperationOutcome', issue: issues });
    }
  }
  const before = current && !current.deleted ? (JSON.parse(current.content) as Resource) : undefined;
  const apply = options.checkOnly ? checkClientWrite : applyClientWriteRules;
  await withRuleOutcomes(() => apply({ resourceType, method, before, after }, { access: ctx.access, repo: ctx.repo }));
}
