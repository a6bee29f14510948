import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { profileRegistry } from '../../definitions';
import type { TerminologySource } from '../terminology/terminology-source';
import { bindingIssues } from './profile-bindings';
import { checkAgainstProfile } from './profile-validator';

const CORE_DEFINITIONS = 'http://hl7.org/fhir/StructureDefinition/';

/**
 * Issues of a resource against profiles (those in meta.profile, plus any asked for by
 * `$validate?profile=`): unknown profiles, a profile of another type, structural and invariant
 * failures, and codes outside the profiles' required value sets. Empty when it conforms.
 */
export async function profileIssues(
  resource: Resource,
  profileUrls: readonly string[],
  terminology: TerminologySource,
): Promise<OperationOutcomeIssue[]> {
  const issues: OperationOutcomeIssue[] = [];
  for (const url of new Set(profileUrls)) {
    if (url.split('|')[0] === CORE_DEFINITIONS + resource.resourceType) {
      continue; // the base definition, which every write is validated against anyway
    }
    const profile = profileRegistry.get(url);
    if (!profile) {
      issues.push({
        severity: 'error',
        code: 'not-supported',
        diagnostics: `Profile ${url} is not known to this server (see the CapabilityStatement's supportedProfile)`,
        expression: [`${resource.resourceType}.meta.profile`],
      });
      continue;
    }
    if (profile.type !== resource.resourceType) {
      issues.push({
        severity: 'error',
        code: 'invalid',
        diagnostics: `Profile ${url} constrains ${profile.type}, not ${resource.resourceType}`,
        expression: [`${resource.resourceType}.meta.profile`],
      });
      continue;
    }
    const check = checkAgainstProfile(resource, profile, (u) => profileRegistry.lookup(u));
    issues.push(...check.issues, ...(await bindingIssues(check.bindings, terminology)));
  }
  return issues;
}
