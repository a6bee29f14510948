import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { ElementIndex, ElementInfo } from '../../definitions/element-index';

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
  const children = childrenOf(index, definitionPath);
  for (const key in node) {
    if (key === 'resourceType' || key.charCodeAt(0) === 95 /* _ */) {
      continue;
    }
    const child = children.get(key) ?? resolveChild(index, definitionPath, key, children);
    if (!child) {
      continue;
    }
    const value = node[key];
    const isArray = Array.isArray(value);
    const items: unknown[] = isArray ? value : [value];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item === 'string') {
        if (child.info.requiredValueSet) {
          checkCode(item, child.info.requiredValueSet, `${expression}.${key}${isArray ? `[${i}]` : ''}`, index, issues);
        }
      } else if (item !== null && typeof item === 'object') {
        const itemExpression = `${expression}.${key}${isArray ? `[${i}]` : ''}`;
        const object = item as Record<string, unknown>;
        const type = child.info.types[0];
        if (typeof object.resourceType === 'string') {
          walk(object, object.resourceType, itemExpression, index, issues);
        } else if (type && !INLINE_TYPES.has(type)) {
          walk(object, type, itemExpression, index, issues);
        } else {
          walk(object, child.path, itemExpression, index, issues);
        }
      }
    }
  }
}

interface ResolvedChild {
  readonly info: ElementInfo;
  /** Definition path of the child's own elements (its contentReference target, if any). */
  readonly path: string;
}

/** Resolved children per definition path, per index: walking a resource builds no path strings. */
const resolvedChildren = new WeakMap<ElementIndex, Map<string, Map<string, ResolvedChild>>>();

function childrenOf(index: ElementIndex, definitionPath: string): Map<string, ResolvedChild> {
  let byPath = resolvedChildren.get(index);
  if (!byPath) {
    byPath = new Map();
    resolvedChildren.set(index, byPath);
  }
  let children = byPath.get(definitionPath);
  if (!children) {
    children = new Map();
    byPath.set(definitionPath, children);
  }
  return children;
}

function resolveChild(index: ElementIndex, definitionPath: string, key: string, cache: Map<string, ResolvedChild>): ResolvedChild | null {
  let path = `${definitionPath}.${key}`;
  let info = index.element(path);
  if (info?.contentReference) {
    path = info.contentReference;
    info = index.element(path);
  }
  if (!info) {
    return null; // not cached: the cache holds only the finite set of defined elements
  }
  const resolved = { info, path };
  cache.set(key, resolved);
  return resolved;
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
