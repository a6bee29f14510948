import type { Bundle, CodeSystem, CodeSystemConcept, StructureDefinition, ValueSet } from '@medplum/fhirtypes';

/** What the required-binding check needs to know about one element path (e.g. `Patient.gender`). */
export interface ElementInfo {
  /** Type codes of the element (`code`, `ContactPoint`, `BackboneElement`, ...). */
  readonly types: readonly string[];
  /** Canonical URL (without version) of a required value set, for `code` elements. */
  readonly requiredValueSet?: string;
  /** Path of the element whose definition this one reuses (`contentReference`). */
  readonly contentReference?: string;
  /** Maximum cardinality (`1`, `*`). */
  readonly max?: string;
  /** For a typed property of a choice element (`valueQuantity`), the element's name (`value`). */
  readonly choice?: string;
}

/**
 * Element paths of every R4 type and resource, with JSON property names of choice types
 * expanded (`Observation.value[x]` is also found as `Observation.valueQuantity`), and the code
 * sets of enumerable value sets. Built once from the definition bundles.
 */
export class ElementIndex {
  private readonly elements = new Map<string, ElementInfo>();
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly expansions = new Map<string, ReadonlySet<string> | null>();

  addStructureDefinitions(bundle: Bundle<StructureDefinition>): void {
    for (const entry of bundle.entry ?? []) {
      for (const element of entry.resource?.snapshot?.element ?? []) {
        const path = element.path as string;
        const types = (element.type ?? []).map((t) => t.code as string);
        const info: ElementInfo = {
          types,
          requiredValueSet:
            element.binding?.strength === 'required' && types.includes('code') && element.binding.valueSet
              ? element.binding.valueSet.split('|')[0]
              : undefined,
          contentReference: element.contentReference?.replace(/^.*#/, ''),
          max: element.max,
        };
        this.elements.set(path, info);
        if (path.endsWith('[x]')) {
          const choice = path.slice(path.lastIndexOf('.') + 1, -3);
          for (const type of types) {
            const typed = path.slice(0, -3) + type.charAt(0).toUpperCase() + type.slice(1);
            this.elements.set(typed, {
              ...info,
              types: [type],
              requiredValueSet: type === 'code' ? info.requiredValueSet : undefined,
              choice,
            });
          }
        }
      }
    }
  }

  addTerminology(bundle: Bundle<ValueSet | CodeSystem>): void {
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource;
      if (resource?.resourceType === 'ValueSet' && resource.url) {
        this.valueSets.set(resource.url, resource);
      } else if (resource?.resourceType === 'CodeSystem' && resource.url) {
        this.codeSystems.set(resource.url, resource);
      }
    }
  }

  /** A base R4 value set by canonical URL (a `|version` suffix is ignored). */
  valueSet(canonical: string): ValueSet | undefined {
    return this.valueSets.get(canonical.split('|')[0]);
  }

  /** A base R4 code system by canonical URL (a `|version` suffix is ignored). */
  codeSystem(canonical: string): CodeSystem | undefined {
    return this.codeSystems.get(canonical.split('|')[0]);
  }

  element(path: string): ElementInfo | undefined {
    return this.elements.get(path);
  }

  /** The code systems a base R4 value set draws its codes from (its includes, and those of its imports). */
  systems(valueSetUrl: string, depth = 0): ReadonlySet<string> {
    const systems = new Set<string>();
    for (const part of this.valueSets.get(valueSetUrl)?.compose?.include ?? []) {
      if (part.system) {
        systems.add(part.system);
      }
      for (const imported of depth < 4 ? (part.valueSet ?? []) : []) {
        this.systems(imported.split('|')[0], depth + 1).forEach((system) => systems.add(system));
      }
    }
    return systems;
  }

  /** The codes of a value set, or null when it cannot be enumerated here (filters, external systems). */
  codes(valueSetUrl: string): ReadonlySet<string> | null {
    if (!this.expansions.has(valueSetUrl)) {
      this.expansions.set(valueSetUrl, null); // guards against value sets that import each other
      this.expansions.set(valueSetUrl, this.expand(valueSetUrl));
    }
    return this.expansions.get(valueSetUrl) ?? null;
  }

  private expand(valueSetUrl: string): ReadonlySet<string> | null {
    const include = this.valueSets.get(valueSetUrl)?.compose?.include;
    if (!include) {
      return null;
    }
    const codes = new Set<string>();
    for (const part of include) {
      if (part.filter?.length) {
        return null;
      }
      for (const imported of part.valueSet ?? []) {
        const importedCodes = this.codes(imported.split('|')[0]);
        if (!importedCodes) {
          return null;
        }
        importedCodes.forEach((c) => codes.add(c));
      }
      if (part.concept) {
        part.concept.forEach((c) => codes.add(c.code as string));
      } else if (part.system) {
        const system = this.codeSystems.get(part.system);
        if (!system?.concept || system.content !== 'complete') {
          return null;
        }
        addConcepts(system.concept, codes);
      }
    }
    return codes;
  }
}

function addConcepts(concepts: CodeSystemConcept[], into: Set<string>): void {
  for (const concept of concepts) {
    into.add(concept.code as string);
    if (concept.concept) {
      addConcepts(concept.concept, into);
    }
  }
}
