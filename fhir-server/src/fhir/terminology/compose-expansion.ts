import type { CodeSystem, ValueSet, ValueSetComposeInclude, ValueSetComposeIncludeConceptDesignation } from '@medplum/fhirtypes';
import { badRequest, notSupported, tooCostly, unprocessable } from '../outcomes';
import { ConceptIndex, propertyValueText, type IndexedConcept } from './concept-index';
import type { TerminologySource } from './terminology-source';

/** One code of an expansion, before paging and display-language selection. */
export interface ExpandedConcept {
  readonly system: string;
  readonly version?: string;
  readonly code: string;
  readonly display?: string;
  readonly designation: readonly ValueSetComposeIncludeConceptDesignation[];
  readonly inactive: boolean;
  readonly abstract: boolean;
}

/** Expansions larger than this are refused rather than built (too costly to hold and page). */
export const MAX_EXPANSION_SIZE = 10_000;
/** Imports nested deeper than this are treated as a cycle. */
const MAX_IMPORT_DEPTH = 8;

/**
 * Evaluates a value set's compose (http://hl7.org/fhir/R4/valueset.html#compose): includes
 * minus excludes, imported value sets intersected, filters applied. Inactive concepts are kept
 * and flagged; callers decide whether they count (see `includesInactive`).
 */
export async function expandCompose(valueSet: ValueSet, source: TerminologySource, depth = 0): Promise<ExpandedConcept[]> {
  if (depth > MAX_IMPORT_DEPTH) {
    throw unprocessable(`Value set ${valueSet.url ?? '(inline)'} imports value sets too deeply (a cycle?)`);
  }
  const compose = valueSet.compose;
  if (!compose) {
    if (valueSet.expansion?.contains) {
      return valueSet.expansion.contains.map((c) => ({
        system: c.system as string,
        version: c.version,
        code: c.code as string,
        display: c.display,
        designation: c.designation ?? [],
        inactive: c.inactive === true,
        abstract: c.abstract === true,
      }));
    }
    throw unprocessable(`Value set ${valueSet.url ?? '(inline)'} has neither a compose nor an expansion`);
  }
  const included = new Map<string, ExpandedConcept>();
  for (const include of compose.include ?? []) {
    for (const concept of await includeConcepts(include, source, depth)) {
      included.set(key(concept), concept);
      if (included.size > MAX_EXPANSION_SIZE) {
        throw tooCostly(`The expansion of ${valueSet.url ?? 'the value set'} exceeds ${MAX_EXPANSION_SIZE} codes`);
      }
    }
  }
  for (const exclude of compose.exclude ?? []) {
    for (const concept of await includeConcepts(exclude, source, depth)) {
      included.delete(key(concept));
    }
  }
  return [...included.values()];
}

/** Whether the value set counts inactive codes as members (`compose.inactive`; MedBuddy's default is no). */
export function includesInactive(valueSet: ValueSet): boolean {
  return valueSet.compose?.inactive === true;
}

function key(concept: { system: string; code: string }): string {
  return `${concept.system}|${concept.code}`;
}

async function includeConcepts(include: ValueSetComposeInclude, source: TerminologySource, depth: number): Promise<ExpandedConcept[]> {
  let concepts: ExpandedConcept[] | undefined;
  if (include.system) {
    concepts = await systemConcepts(include, source);
  }
  for (const canonical of include.valueSet ?? []) {
    const imported = await source.valueSet(canonical);
    if (!imported) {
      throw unprocessable(`Value set ${canonical} (imported by compose) is not known to this server`);
    }
    const importedConcepts = await expandCompose(imported, source, depth + 1);
    if (concepts === undefined) {
      concepts = importedConcepts;
    } else {
      const keep = new Set(importedConcepts.map(key));
      concepts = concepts.filter((c) => keep.has(key(c)));
    }
  }
  return concepts ?? [];
}

async function systemConcepts(include: ValueSetComposeInclude, source: TerminologySource): Promise<ExpandedConcept[]> {
  const system = include.system as string;
  const codeSystem = await source.codeSystem(include.version ? `${system}|${include.version}` : system);
  const index = codeSystem?.concept ? ConceptIndex.of(codeSystem) : undefined;
  if (include.concept) {
    const listed: ExpandedConcept[] = [];
    for (const concept of include.concept) {
      const known = index?.get(concept.code as string);
      if (index && !known && codeSystem?.content === 'complete') {
        continue; // listed, but the (complete) code system does not define it
      }
      listed.push({
        system,
        version: include.version ?? codeSystem?.version,
        code: known?.code ?? (concept.code as string),
        display: concept.display ?? known?.display,
        designation: concept.designation ?? known?.designation ?? [],
        inactive: known?.inactive ?? false,
        abstract: known?.abstract ?? false,
      });
    }
    return applyFilters(listed, include, codeSystem, index);
  }
  if (!codeSystem || !index) {
    throw unprocessable(`Code system ${system} is not known to this server, so its codes cannot be enumerated`);
  }
  const all = index.all().map((c) => fromIndexed(system, codeSystem, c));
  return applyFilters(all, include, codeSystem, index);
}

function fromIndexed(system: string, codeSystem: CodeSystem, concept: IndexedConcept): ExpandedConcept {
  return {
    system,
    version: codeSystem.version,
    code: concept.code,
    display: concept.display,
    designation: concept.designation,
    inactive: concept.inactive,
    abstract: concept.abstract,
  };
}

function applyFilters(
  concepts: ExpandedConcept[],
  include: ValueSetComposeInclude,
  codeSystem: CodeSystem | undefined,
  index: ConceptIndex | undefined,
): ExpandedConcept[] {
  let result = concepts;
  for (const filter of include.filter ?? []) {
    if (!codeSystem || !index) {
      throw unprocessable(`Code system ${include.system} is not known to this server, so its filters cannot be evaluated`);
    }
    const matches = filterPredicate(filter.property, filter.op, filter.value, codeSystem, index);
    result = result.filter((c) => matches(index.get(c.code)));
  }
  return result;
}

/** Properties every code system has (http://hl7.org/fhir/R4/codesystem.html#defined-props). */
const IMPLICIT_PROPERTIES = new Set(['concept', 'code', 'display', 'parent', 'child', 'inactive', 'status', 'notSelectable']);

/** http://hl7.org/fhir/R4/valueset-filter-operator.html, for the operators MedBuddy supports. */
function filterPredicate(
  property: string | undefined,
  op: string | undefined,
  value: string | undefined,
  codeSystem: CodeSystem,
  index: ConceptIndex,
): (concept: IndexedConcept | undefined) => boolean {
  if (!property || !op || value === undefined || value === '') {
    throw badRequest('A value set filter needs property, op and value');
  }
  const declared = (codeSystem.property ?? []).some((p) => p.code === property);
  if (!declared && !IMPLICIT_PROPERTIES.has(property)) {
    throw badRequest(`Filter property "${property}" is not defined by code system ${codeSystem.url}`);
  }
  const values = value.split(',').map((v) => v.trim());
  if (property === 'concept' || property === 'code') {
    return hierarchyPredicate(op, value, values, index);
  }
  const valuesOf = (c: IndexedConcept): string[] => {
    switch (property) {
      case 'display':
        return c.display ? [c.display] : [];
      case 'parent':
        return [...c.parents];
      case 'child':
        return [...c.children];
      case 'inactive':
        return [String(c.inactive)];
      default:
        return c.property.filter((p) => p.code === property).flatMap((p) => propertyValueText(p) ?? []);
    }
  };
  switch (op) {
    case '=':
      return (c) => !!c && valuesOf(c).includes(value);
    case 'in':
      return (c) => !!c && valuesOf(c).some((v) => values.includes(v));
    case 'not-in':
      return (c) => !!c && !valuesOf(c).some((v) => values.includes(v));
    case 'exists':
      if (value !== 'true' && value !== 'false') {
        throw badRequest(`The "exists" filter takes true or false, not "${value}"`);
      }
      return (c) => !!c && valuesOf(c).length > 0 === (value === 'true');
    default:
      throw notSupported(`Filter operator "${op}" is not supported on property "${property}"`);
  }
}

function hierarchyPredicate(op: string, value: string, values: string[], index: ConceptIndex): (c: IndexedConcept | undefined) => boolean {
  switch (op) {
    case '=':
      return (c) => c?.code === value;
    case 'in':
      return (c) => !!c && values.includes(c.code);
    case 'not-in':
      return (c) => !!c && !values.includes(c.code);
    case 'is-a': {
      const set = index.descendants(value).add(value);
      return (c) => !!c && set.has(c.code) && !!index.get(value);
    }
    case 'descendent-of': {
      const set = index.descendants(value);
      return (c) => !!c && set.has(c.code);
    }
    case 'is-not-a': {
      const set = index.descendants(value).add(value);
      return (c) => !!c && !set.has(c.code);
    }
    case 'generalizes': {
      const set = index.ancestors(value).add(value);
      return (c) => !!c && set.has(c.code) && !!index.get(value);
    }
    default:
      throw notSupported(`Filter operator "${op}" is not supported on the concept hierarchy`);
  }
}
