import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { ElementIndex } from '../../definitions/element-index';
import { walkElements, type LeafVisitor } from './element-walk';

/**
 * Codes outside a required value set (http://hl7.org/fhir/R4/terminologies.html#required),
 * e.g. `Patient.gender = "robot"`. The structure validator does not check bindings.
 */
export function requiredBindingIssues(resource: Resource, index: ElementIndex): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  walkElements(resource, index, requiredBindingCheck(index, issues));
  return issues;
}

/** The check of requiredBindingIssues for one element value, to run in a walk shared with other checks. */
export function requiredBindingCheck(index: ElementIndex, issues: OperationOutcomeIssue[]): LeafVisitor {
  return (value, element, expression) => {
    if (typeof value === 'string' && element.requiredValueSet) {
      checkCode(value, element.requiredValueSet, expression, index, issues);
    }
  };
}

function checkCode(code: string, valueSet: string, expression: string, index: ElementIndex, issues: OperationOutcomeIssue[]): void {
  const codes = index.codes(valueSet);
  if (codes && !codes.has(code)) {
    issues.push({
      severity: 'error',
      code: 'code-invalid',
      diagnostics: `"${code}" is not in the required value set ${valueSet}`,
      expression: [expression],
    });
  }
}
