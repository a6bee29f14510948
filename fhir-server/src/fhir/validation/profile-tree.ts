import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

/** One element of a snapshot with the elements below it and its slices. */
export interface ElementNode {
  readonly element: ElementDefinition;
  /** Last path segment (`valueQuantity` is found through `value[x]`). */
  readonly name: string;
  readonly children: ElementNode[];
  readonly slices: ElementNode[];
}

const cache = new WeakMap<StructureDefinition, ElementNode>();

/**
 * The snapshot of a StructureDefinition as a tree, from element ids
 * (http://hl7.org/fhir/R4/elementdefinition.html#id): `a.b` is a child of `a`, `a.b:s` a slice
 * of `a.b`, `a.b:s.c` a child of that slice.
 */
export function elementTree(sd: StructureDefinition): ElementNode {
  let root = cache.get(sd);
  if (!root) {
    root = buildTree(sd);
    cache.set(sd, root);
  }
  return root;
}

function buildTree(sd: StructureDefinition): ElementNode {
  const elements = sd.snapshot?.element ?? [];
  const [first, ...rest] = elements;
  const root: ElementNode = { element: first, name: first.path as string, children: [], slices: [] };
  const byId = new Map<string, ElementNode>([[first.id ?? (first.path as string), root]]);
  for (const element of rest) {
    const id = element.id ?? (element.path as string);
    const lastDot = id.lastIndexOf('.');
    const segment = id.slice(lastDot + 1);
    const colon = segment.indexOf(':');
    const node: ElementNode = { element, name: colon < 0 ? segment : segment.slice(0, colon), children: [], slices: [] };
    byId.set(id, node);
    if (colon >= 0) {
      byId.get(id.slice(0, lastDot + 1 + colon))?.slices.push(node);
    } else {
      byId.get(id.slice(0, lastDot))?.children.push(node);
    }
  }
  return root;
}
