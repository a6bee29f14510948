import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { TerminologySource } from '../terminology/terminology-source';
import { validateCode } from '../terminology/validate-code';
import type { BindingCheck } from './profile-validator';

/**
 * Checks the codes under a profile's required bindings against the value sets as the database
 * holds them now (http://hl7.org/fhir/R4/terminologies.html#required): a code (or, for a
 * CodeableConcept, at least one coding) must be an active, selectable member.
 */
export async function bindingIssues(checks: readonly BindingCheck[], source: TerminologySource): Promise<OperationOutcomeIssue[]> {
  const issues: OperationOutcomeIssue[] = [];
  for (const check of checks) {
    const fail = (diagnostics: string): void => {
      issues.push({ severity: 'error', code: 'code-invalid', diagnostics, expression: [check.expression] });
    };
    const valueSet = await source.valueSet(check.valueSet);
    if (!valueSet) {
      fail(`${check.path} is bound to value set ${check.valueSet}, which this server does not hold, so its code cannot be accepted`);
      continue;
    }
    const codings = check.codings.filter((c) => typeof c.code === 'string');
    if (codings.length === 0) {
      fail(`${check.path} needs a code from the required value set ${check.valueSet}`);
      continue;
    }
    let valid = false;
    const messages: string[] = [];
    for (const coding of codings) {
      const result = await validateCode(valueSet, source, { system: coding.system, code: coding.code as string });
      valid ||= result.result;
      if (!result.result && result.message) {
        messages.push(result.message);
      }
    }
    if (!valid) {
      fail(`${check.path}: ${messages.join('; ')} (required binding)`);
    }
  }
  return issues;
}
