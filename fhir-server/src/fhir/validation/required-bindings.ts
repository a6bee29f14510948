import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { ElementIndex } from '../../definitions/element-index';

/** Types whose elements are defined inline under the parent's path, not under their own name. */
const INLINE_TYPES = new Set(['BackboneElement', 'Element']);

/**
 * Codes outside a required value set (http://hl7.org/fhir/R4/terminologies.html#required),
 * e.g. `Patient.gender = "robot"`. The structure validator does not check bindings.
 */
export function requiredBindingIssues(resource: Resource, index: ElementIndex): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  walk(resource as unknown as Record<string, unknown>, resource.resourceType, resource.resourceType, index, issues);
  return issues;
}

function walk(
  node: Record<string, unknown>,
  definitionPath: string,
  expression: string,
  index: ElementIndex,
  issues: OperationOutcomeIssue[],
): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'resourceType' || key.startsWith('_')) {
      continue;
    }
    let info = index.element(`${definitionPath}.${key}`);
    let childPath = `${definitionPath}.${key}`;
    if (info?.contentReference) {
      childPath = info.contentReference;
      info = index.element(childPath);
    }
    if (!info) {
      continue;
    }
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const itemExpression = `${expression}.${key}${Array.isArray(value) ? `[${i}]` : ''}`;
      if (typeof item === 'string' && info.requiredValueSet) {
        checkCode(item, info.requiredValueSet, itemExpression, index, issues);
      } else if (item !== null && typeof item === 'object') {
        const child = item as Record<string, unknown>;
        const type = info.types[0];
        if (typeof child.resourceType === 'string') {
          walk(child, child.resourceType, itemExpression, index, issues);
        } else if (type && !INLINE_TYPES.has(type)) {
          walk(child, type, itemExpression, index, issues);
        } else {
          walk(child, childPath, itemExpression, index, issues);
        }
      }
    });
  }
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
