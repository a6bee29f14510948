import type { CodeSystem } from '@medplum/fhirtypes';
import { notFound } from '../outcomes';
import { ConceptIndex } from './concept-index';

export type SubsumptionOutcome = 'equivalent' | 'subsumes' | 'subsumed-by' | 'not-subsumed';

/**
 * http://hl7.org/fhir/R4/codesystem-operation-subsumes.html: how code A relates to code B in
 * the code system's is-a hierarchy. Both codes must exist.
 */
export function subsumes(codeSystem: CodeSystem, codeA: string, codeB: string): SubsumptionOutcome {
  const index = ConceptIndex.of(codeSystem);
  for (const code of [codeA, codeB]) {
    if (!index.get(code)) {
      throw notFound(`The code "${code}" is not defined by code system ${codeSystem.url}`);
    }
  }
  const a = index.get(codeA)?.code as string;
  const b = index.get(codeB)?.code as string;
  if (a === b) {
    return 'equivalent';
  }
  if (index.descendants(a).has(b)) {
    return 'subsumes';
  }
  if (index.descendants(b).has(a)) {
    return 'subsumed-by';
  }
  return 'not-subsumed';
}
