import type { CodeSystem, CodeSystemConcept } from '@medplum/fhirtypes';

export const SPECIALTY_CODE_SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/specialty';

/** One specialty as the administrator sees it. */
export interface SpecialtyRow {
  readonly code: string;
  readonly display: string;
  /** The grouping concept it sits under; empty at the top level. */
  readonly family: string;
  /** A grouping concept (notSelectable): not offered to doctors or patients itself. */
  readonly grouping: boolean;
  readonly retired: boolean;
}

/** The concepts in hierarchy order, families before their members. */
export function specialtyRows(codeSystem: CodeSystem): SpecialtyRow[] {
  const rows: SpecialtyRow[] = [];
  const walk = (concepts: readonly CodeSystemConcept[], family: string) => {
    for (const concept of concepts) {
      rows.push({
        code: concept.code,
        display: concept.display ?? concept.code,
        family,
        grouping: property(concept, 'notSelectable')?.valueBoolean === true,
        retired: property(concept, 'status')?.valueCode === 'retired',
      });
      walk(concept.concept ?? [], concept.code);
    }
  };
  walk(codeSystem.concept ?? [], '');
  return rows;
}

/** Why a new code cannot be added, or undefined when it can. */
export function newCodeProblem(codeSystem: CodeSystem, code: string, display: string): string | undefined {
  if (!/^[a-z][a-z0-9-]{1,62}$/.test(code)) {
    return 'A code is lower-case letters, digits and hyphens, starting with a letter.';
  }
  if (!display.trim()) {
    return 'Give the name patients will see.';
  }
  if (specialtyRows(codeSystem).some((row) => row.code === code)) {
    return `The code "${code}" exists already; codes are never reused.`;
  }
  return undefined;
}

/** A copy of the code system with a new active specialty, under `family` or at the top level. */
export function withNewSpecialty(codeSystem: CodeSystem, code: string, display: string, family: string): CodeSystem {
  const concept: CodeSystemConcept = { code, display: display.trim(), property: [{ code: 'status', valueCode: 'active' }] };
  if (!family) {
    return { ...codeSystem, concept: [...(codeSystem.concept ?? []), concept] };
  }
  return mapConcepts(codeSystem, (c) => (c.code === family ? { ...c, concept: [...(c.concept ?? []), concept] } : c));
}

/** A copy with the concept's display changed; the code stays, so stored data keeps its meaning. */
export function withDisplay(codeSystem: CodeSystem, code: string, display: string): CodeSystem {
  return mapConcepts(codeSystem, (c) => (c.code === code ? { ...c, display: display.trim() } : c));
}

/** A copy with the concept retired (no longer offered) or active again. */
export function withStatus(codeSystem: CodeSystem, code: string, status: 'active' | 'retired'): CodeSystem {
  return mapConcepts(codeSystem, (c) =>
    c.code === code
      ? { ...c, property: [...(c.property ?? []).filter((p) => p.code !== 'status'), { code: 'status', valueCode: status }] }
      : c,
  );
}

function property(concept: CodeSystemConcept, code: string) {
  return concept.property?.find((p) => p.code === code);
}

function mapConcepts(codeSystem: CodeSystem, change: (concept: CodeSystemConcept) => CodeSystemConcept): CodeSystem {
  const walk = (concepts: readonly CodeSystemConcept[]): CodeSystemConcept[] =>
    concepts.map((concept) => {
      const changed = change(concept);
      return changed.concept ? { ...changed, concept: walk(changed.concept) } : changed;
    });
  return { ...codeSystem, concept: walk(codeSystem.concept ?? []) };
}
