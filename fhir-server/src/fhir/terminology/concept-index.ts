import type { CodeSystem, CodeSystemConcept, CodeSystemConceptDesignation, CodeSystemConceptProperty } from '@medplum/fhirtypes';

/** One concept of a code system with its place in the hierarchy and its status flags. */
export interface IndexedConcept {
  readonly code: string;
  readonly display?: string;
  readonly definition?: string;
  readonly designation: readonly CodeSystemConceptDesignation[];
  readonly property: readonly CodeSystemConceptProperty[];
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** Retired or marked inactive (http://hl7.org/fhir/R4/codesystem-concept-properties.html). */
  readonly inactive: boolean;
  /** A grouping concept that cannot be selected (`notSelectable`). */
  readonly abstract: boolean;
}

const INACTIVE_STATUSES = new Set(['retired', 'inactive']);
const cache = new WeakMap<CodeSystem, ConceptIndex>();

/**
 * The concepts of a CodeSystem by code, with hierarchy from nesting and from `parent`/`child`
 * properties (http://hl7.org/fhir/R4/codesystem.html#hierarchy).
 */
export class ConceptIndex {
  private readonly byCode = new Map<string, IndexedConcept & { parents: string[]; children: string[] }>();

  static of(codeSystem: CodeSystem): ConceptIndex {
    let index = cache.get(codeSystem);
    if (!index) {
      index = new ConceptIndex(codeSystem);
      cache.set(codeSystem, index);
    }
    return index;
  }

  private constructor(readonly codeSystem: CodeSystem) {
    this.addAll(codeSystem.concept ?? [], undefined);
    for (const concept of [...this.byCode.values()]) {
      for (const property of concept.property) {
        const other = property.valueCode;
        if (property.code === 'parent' && other) {
          this.link(other, concept.code);
        } else if (property.code === 'child' && other) {
          this.link(concept.code, other);
        }
      }
    }
  }

  get(code: string): IndexedConcept | undefined {
    return this.byCode.get(this.codeSystem.caseSensitive === false ? this.canonicalCode(code) : code);
  }

  all(): IndexedConcept[] {
    return [...this.byCode.values()];
  }

  /** The code's descendants (transitive children), not the code itself. */
  descendants(code: string): Set<string> {
    return this.closure(code, (c) => c.children);
  }

  ancestors(code: string): Set<string> {
    return this.closure(code, (c) => c.parents);
  }

  private closure(code: string, next: (concept: IndexedConcept) => readonly string[]): Set<string> {
    const seen = new Set<string>();
    const stack = [...(this.get(code) ? next(this.get(code) as IndexedConcept) : [])];
    while (stack.length > 0) {
      const current = stack.pop() as string;
      if (!seen.has(current)) {
        seen.add(current);
        const concept = this.byCode.get(current);
        if (concept) {
          stack.push(...next(concept));
        }
      }
    }
    seen.delete(code);
    return seen;
  }

  private canonicalCode(code: string): string {
    const lower = code.toLowerCase();
    for (const key of this.byCode.keys()) {
      if (key.toLowerCase() === lower) {
        return key;
      }
    }
    return code;
  }

  private addAll(concepts: readonly CodeSystemConcept[], parent: string | undefined): void {
    for (const concept of concepts) {
      const code = concept.code as string;
      if (!this.byCode.has(code)) {
        const property = concept.property ?? [];
        this.byCode.set(code, {
          code,
          display: concept.display,
          definition: concept.definition,
          designation: concept.designation ?? [],
          property,
          parents: [],
          children: [],
          inactive: property.some(
            (p) => (p.code === 'inactive' && p.valueBoolean === true) || (p.code === 'status' && INACTIVE_STATUSES.has(p.valueCode ?? '')),
          ),
          abstract: property.some((p) => p.code === 'notSelectable' && p.valueBoolean === true),
        });
      }
      if (parent) {
        this.link(parent, code);
      }
      this.addAll(concept.concept ?? [], code);
    }
  }

  private link(parent: string, child: string): void {
    const p = this.byCode.get(parent);
    const c = this.byCode.get(child);
    if (p && c && !p.children.includes(child)) {
      p.children.push(child);
      c.parents.push(parent);
    }
  }
}

/** The value of a concept property as text, whatever its type (for filters and $lookup). */
export function propertyValueText(property: CodeSystemConceptProperty): string | undefined {
  const value =
    property.valueCode ??
    property.valueString ??
    property.valueCoding?.code ??
    property.valueBoolean ??
    property.valueInteger ??
    property.valueDecimal ??
    property.valueDateTime;
  return value === undefined ? undefined : String(value);
}
