import type { Resource } from '@medplum/fhirtypes';
import { elementIndex, mandatoryElements, summaryElements } from '../definitions';
import { badRequest } from './outcomes';

/**
 * `_summary` and `_elements` (http://hl7.org/fhir/R4/search.html#summary,
 * #elements): a subset of a resource's top-level elements, tagged SUBSETTED.
 */
export interface ResourceView {
  readonly summary?: 'true' | 'text' | 'data' | 'false' | 'count';
  readonly elements?: readonly string[];
}

const SUMMARY_VALUES = new Set(['true', 'text', 'data', 'false', 'count']);
const ALWAYS_KEPT = ['resourceType', 'id', 'meta'];
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

export function parseResourceView(query: URLSearchParams): ResourceView {
  const summary = query.get('_summary') ?? undefined;
  if (summary !== undefined && !SUMMARY_VALUES.has(summary)) {
    throw badRequest(`_summary must be one of true, text, data, count, false; got "${summary}"`);
  }
  const elements = query.get('_elements');
  const names = elements
    ?.split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (names?.some((n) => !/^[A-Za-z][A-Za-z0-9]*$/.test(n))) {
    throw badRequest('_elements must be a comma-separated list of top-level element names');
  }
  return { summary: summary as ResourceView['summary'], elements: names };
}

export function isFullView(view: ResourceView): boolean {
  return (view.summary === undefined || view.summary === 'false') && !view.elements?.length;
}

export function applyView(resource: Resource, view: ResourceView): Resource {
  if (isFullView(view)) {
    return resource;
  }
  const source = resource as unknown as Record<string, unknown>;
  let keep: (name: string) => boolean;
  if (view.summary === 'data') {
    keep = (name) => name !== 'text';
  } else if (view.summary === 'text') {
    keep = (name) => name === 'text' || ALWAYS_KEPT.includes(name);
  } else if (view.summary === 'true' || view.summary === 'count') {
    keep = among(summaryElements(resource.resourceType));
  } else {
    // Mandatory elements come whether asked for or not (search.html#elements), so the subset stays valid.
    const mandatory = among(mandatoryElements(resource.resourceType));
    // A choice element is asked for by its name in the definition: `performed` keeps `performedPeriod`.
    const wanted = new Set(view.elements);
    const choiceOf = (name: string) => elementIndex.element(`${resource.resourceType}.${name}`)?.choice;
    keep = (name) => wanted.has(name) || wanted.has(choiceOf(name) ?? '') || mandatory(name);
  }
  const subset: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(source)) {
    if (keep(name)) {
      subset[name] = value;
    }
  }
  const meta = (subset.meta ?? {}) as { tag?: unknown[] };
  subset.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  return subset as unknown as Resource;
}

/** Whether an instance's element is resourceType, id, meta or one of these definition names. */
function among(names: ReadonlySet<string>): (name: string) => boolean {
  return (name) => ALWAYS_KEPT.includes(name) || names.has(name) || [...names].some((n) => isChoiceOf(name, n));
}

/** `value[x]` in the definitions matches `valueQuantity` in the instance. */
function isChoiceOf(name: string, definitionName: string): boolean {
  return definitionName.endsWith('[x]') && name.startsWith(definitionName.slice(0, -3)) && name !== definitionName;
}
