import type { Resource } from '@medplum/fhirtypes';
import type { ElementIndex, ElementInfo } from '../../definitions/element-index';

/** Types whose elements are defined inline under the parent's path, not under their own name. */
const INLINE_TYPES = new Set(['BackboneElement', 'Element']);

/** Called for every value of a defined element that is not a JSON object (strings, numbers, arrays in arrays, ...). */
export type LeafVisitor = (value: unknown, element: ElementInfo, expression: string) => void;

/**
 * Called for every defined property with its JSON value as given and whether its element
 * repeats (max > 1); its expression is `${parent}.${key}` (built only when needed).
 */
export type PropertyVisitor = (value: unknown, repeats: boolean, parent: string, key: string) => void;

/** Called for every JSON object walked (the resource, and each complex value) with its definition path. */
export type ObjectVisitor = (node: Record<string, unknown>, definitionPath: string, expression: string) => void;

/**
 * Walks a resource's JSON along the R4 element definitions: every value of a defined element
 * that is not a nested object is passed to `visit` with its definition and FHIRPath-like
 * expression (`Patient.name[0].family`). Unknown keys and primitive extensions (`_x`) are
 * skipped; the structure validator reports the former.
 */
export function walkElements(
  resource: Resource,
  index: ElementIndex,
  visit: LeafVisitor,
  onProperty?: PropertyVisitor,
  onObject?: ObjectVisitor,
): void {
  walk(resource as unknown as Record<string, unknown>, resource.resourceType, resource.resourceType, index, {
    visit,
    onProperty,
    onObject,
  });
}

interface Visitors {
  readonly visit: LeafVisitor;
  readonly onProperty?: PropertyVisitor;
  readonly onObject?: ObjectVisitor;
}

function walk(node: Record<string, unknown>, definitionPath: string, expression: string, index: ElementIndex, visitors: Visitors): void {
  const { visit, onProperty, onObject } = visitors;
  onObject?.(node, definitionPath, expression);
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
    onProperty?.(value, child.repeats, expression, key);
    const isArray = Array.isArray(value);
    const items: unknown[] = isArray ? value : [value];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const itemExpression = `${expression}.${key}${isArray ? `[${i}]` : ''}`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        visit(item, child.info, itemExpression);
        continue;
      }
      const object = item as Record<string, unknown>;
      const type = child.info.types[0];
      if (typeof object.resourceType === 'string') {
        walk(object, object.resourceType, itemExpression, index, visitors);
      } else if (type && !INLINE_TYPES.has(type)) {
        walk(object, type, itemExpression, index, visitors);
      } else {
        walk(object, child.path, itemExpression, index, visitors);
      }
      if (isPrimitive(child.info)) {
        visit(item, child.info, itemExpression);
      }
    }
  }
}

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** FHIR primitive types are spelled in lower case (`string`, `dateTime`); complex ones capitalised. */
export function isPrimitive(element: ElementInfo): boolean {
  const type = element.types[0];
  return element.types.length === 1 && type.charCodeAt(0) >= 97 && type.charCodeAt(0) <= 122;
}

interface ResolvedChild {
  readonly info: ElementInfo;
  /** Definition path of the child's own elements (its contentReference target, if any). */
  readonly path: string;
  /** The element may repeat (its own max, not its contentReference target's). */
  readonly repeats: boolean;
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
  const repeats = info?.max !== undefined && info.max !== '0' && info.max !== '1';
  if (info?.contentReference) {
    path = info.contentReference;
    info = index.element(path);
  }
  if (!info) {
    return null; // not cached: the cache holds only the finite set of defined elements
  }
  const resolved = { info, path, repeats };
  cache.set(key, resolved);
  return resolved;
}
