import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

/** Finds a StructureDefinition with a snapshot by canonical URL (base R4 types and resources, or our own). */
export type DefinitionLookup = (url: string) => StructureDefinition | undefined;

export class SnapshotError extends Error {}

/** Element properties a differential may set, replacing the base value (profiling.html#constraining). */
const REPLACED = [
  'short',
  'definition',
  'comment',
  'requirements',
  'alias',
  'label',
  'code',
  'mustSupport',
  'isSummary',
  'maxLength',
  'meaningWhenMissing',
  'binding',
  'slicing',
  'example',
] as const;

/**
 * Builds the snapshot of a constraining StructureDefinition from its hand-written differential
 * and its base's snapshot (http://hl7.org/fhir/R4/profiling.html#snapshot): each differential
 * element is merged into the base element with the same id; a new slice is a copy of the sliced
 * element; the children of an element the differential reaches into are unrolled from its type
 * (or, for a slice of a backbone element, from the sliced element). Cardinality may only narrow
 * and types may only be restricted; anything else is a SnapshotError naming the element.
 */
export function generateSnapshot(profile: StructureDefinition, lookup: DefinitionLookup): StructureDefinition {
  const label = profile.url ?? profile.id;
  if (profile.derivation !== 'constraint' || !profile.baseDefinition) {
    throw new SnapshotError(`${label}: only constraints (derivation = constraint, with a baseDefinition) get generated snapshots`);
  }
  const base = lookup(profile.baseDefinition);
  if (!base?.snapshot?.element?.length) {
    throw new SnapshotError(`${label}: base ${profile.baseDefinition} is not known or has no snapshot`);
  }
  if (base.type !== profile.type) {
    throw new SnapshotError(`${label}: type ${profile.type} differs from its base's type ${base.type}`);
  }
  const elements = base.snapshot.element.map((e) => structuredClone(e));
  for (const diff of profile.differential?.element ?? []) {
    const id = diff.id ?? diff.path;
    if (!id || !diff.path) {
      throw new SnapshotError(`${label}: every differential element needs a path`);
    }
    const target = findOrCreate(elements, id, diff, lookup, label);
    merge(target, diff, profile.url as string, label);
  }
  const { snapshot: _ignored, ...rest } = profile;
  return { ...rest, snapshot: { element: elements } };
}

function indexOfId(elements: ElementDefinition[], id: string): number {
  return elements.findIndex((e) => (e.id ?? e.path) === id);
}

/** Index just past the element with this id and everything below it (children and slices). */
function endOfSubtree(elements: ElementDefinition[], id: string): number {
  let end = indexOfId(elements, id) + 1;
  while (end < elements.length) {
    const other = elements[end].id ?? (elements[end].path as string);
    if (!other.startsWith(id + '.') && !other.startsWith(id + ':')) {
      break;
    }
    end++;
  }
  return end;
}

function findOrCreate(
  elements: ElementDefinition[],
  id: string,
  diff: ElementDefinition,
  lookup: DefinitionLookup,
  label: string,
): ElementDefinition {
  const existing = indexOfId(elements, id);
  if (existing >= 0) {
    return elements[existing];
  }
  const lastSegment = id.slice(id.lastIndexOf('.') + 1);
  if (diff.sliceName && lastSegment.endsWith(`:${diff.sliceName}`)) {
    const slicedId = id.slice(0, id.length - diff.sliceName.length - 1);
    const sliced = elements[indexOfId(elements, slicedId)] ?? findOrCreate(elements, slicedId, { path: diff.path }, lookup, label);
    if (!sliced.slicing) {
      if (!sliced.type?.some((t) => t.code === 'Extension')) {
        throw new SnapshotError(`${label}: slice ${id} comes before the slicing of ${slicedId} is defined`);
      }
      sliced.slicing = { discriminator: [{ type: 'value', path: 'url' }], rules: 'open' };
    }
    const { slicing: _none, ...copy } = structuredClone(sliced);
    // A slice starts from the sliced element's original cardinality: slices may each be rarer than the whole.
    const slice: ElementDefinition = { ...copy, id, sliceName: diff.sliceName, min: copy.base?.min ?? 0, max: copy.base?.max ?? copy.max };
    elements.splice(endOfSubtree(elements, slicedId), 0, slice);
    return slice;
  }
  const parentId = id.slice(0, id.lastIndexOf('.'));
  if (!parentId) {
    throw new SnapshotError(`${label}: element ${id} is not in the base`);
  }
  const parent =
    elements[indexOfId(elements, parentId)] ??
    findOrCreate(elements, parentId, { path: diff.path.slice(0, diff.path.lastIndexOf('.')) }, lookup, label);
  unroll(elements, parentId, parent, lookup, label);
  const created = indexOfId(elements, id);
  if (created < 0) {
    throw new SnapshotError(`${label}: element ${id} is not defined by the type of ${parentId}`);
  }
  return elements[created];
}

/** Adds the children of an element that has none in the snapshot yet. */
function unroll(elements: ElementDefinition[], parentId: string, parent: ElementDefinition, lookup: DefinitionLookup, label: string): void {
  if (elements.some((e) => (e.id ?? '').startsWith(parentId + '.'))) {
    return;
  }
  let children: ElementDefinition[];
  const sliceMatch = /^(.*):[^.:]+$/.exec(parentId);
  const slicedId = sliceMatch?.[1];
  const backboneChildren = slicedId ? elements.filter((e) => (e.id ?? '').startsWith(slicedId + '.')) : [];
  if (slicedId && backboneChildren.length > 0) {
    children = backboneChildren.map((e) => ({ ...structuredClone(e), id: parentId + (e.id as string).slice(slicedId.length) }));
  } else {
    const types = parent.type ?? [];
    if (types.length !== 1) {
      throw new SnapshotError(`${label}: cannot reach into ${parentId}, which has ${types.length} types (restrict it to one first)`);
    }
    const typeUrl = types[0].profile?.[0] ?? `http://hl7.org/fhir/StructureDefinition/${types[0].code}`;
    const typeDefinition = lookup(typeUrl);
    const typeElements = typeDefinition?.snapshot?.element;
    if (!typeElements) {
      throw new SnapshotError(`${label}: type ${typeUrl} of ${parentId} is not known`);
    }
    const root = typeElements[0].path as string;
    children = typeElements.slice(1).map((e) => ({
      ...structuredClone(e),
      id: parentId + (e.id ?? (e.path as string)).slice(root.length),
      path: (parent.path as string) + (e.path as string).slice(root.length),
    }));
  }
  elements.splice(endOfSubtree(elements, parentId), 0, ...children);
}

function cardinality(max: string | undefined): number {
  return max === undefined || max === '*' ? Infinity : Number(max);
}

function merge(target: ElementDefinition, diff: ElementDefinition, source: string, label: string): void {
  const where = `${label}: ${diff.id ?? diff.path}`;
  const fields = target as unknown as Record<string, unknown>;
  if (diff.min !== undefined) {
    if (diff.min < (target.min ?? 0)) {
      throw new SnapshotError(`${where}: min ${diff.min} is below the base min ${target.min}`);
    }
    target.min = diff.min;
  }
  if (diff.max !== undefined) {
    if (cardinality(diff.max) > cardinality(target.max)) {
      throw new SnapshotError(`${where}: max ${diff.max} is above the base max ${target.max}`);
    }
    target.max = diff.max;
  }
  if ((target.min ?? 0) > cardinality(target.max)) {
    throw new SnapshotError(`${where}: min ${target.min} is above max ${target.max}`);
  }
  if (diff.type) {
    const allowed = new Set((target.type ?? []).map((t) => t.code));
    for (const type of diff.type) {
      if (!allowed.has(type.code) && !allowed.has('*')) {
        throw new SnapshotError(`${where}: type ${type.code} is not one of the base types ${[...allowed].join(', ')}`);
      }
    }
    target.type = structuredClone(diff.type);
  }
  for (const key of REPLACED) {
    if (diff[key] !== undefined) {
      fields[key] = structuredClone(diff[key]);
    }
  }
  if (diff.constraint) {
    target.constraint = [...(target.constraint ?? []), ...diff.constraint.map((c) => ({ ...c, source: c.source ?? source }))];
  }
  if (diff.condition) {
    target.condition = [...new Set([...(target.condition ?? []), ...diff.condition])];
  }
  for (const [key, value] of Object.entries(diff)) {
    if (key.startsWith('fixed') || key.startsWith('pattern')) {
      for (const old of Object.keys(target).filter((k) => k.startsWith('fixed') || k.startsWith('pattern'))) {
        delete fields[old];
      }
      fields[key] = structuredClone(value);
    }
  }
}
