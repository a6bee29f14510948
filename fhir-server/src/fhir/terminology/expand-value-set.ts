import { randomUUID } from 'node:crypto';
import type { ValueSet, ValueSetExpansionContains, ValueSetExpansionParameter } from '@medplum/fhirtypes';
import { badRequest } from '../outcomes';
import { expandCompose, includesInactive, type ExpandedConcept } from './compose-expansion';
import type { TerminologySource } from './terminology-source';

export interface ExpandOptions {
  /** Text the display (or code, or a designation) must match, word by word, by prefix. */
  readonly filter?: string;
  readonly offset?: number;
  readonly count?: number;
  /** BCP-47 tag: displays come from designations in this language where the data has them. */
  readonly displayLanguage?: string;
  /** Overrides `compose.inactive`. */
  readonly activeOnly?: boolean;
  readonly includeDesignations?: boolean;
}

/** The most codes one $expand page returns; larger counts are refused. */
export const MAX_EXPAND_COUNT = 1000;
export const MAX_FILTER_LENGTH = 200;

/**
 * http://hl7.org/fhir/R4/valueset-operation-expand.html: the value set with an `expansion`
 * holding one page of its codes. `total` counts all matching codes, so a client can page.
 */
export async function expandValueSet(valueSet: ValueSet, source: TerminologySource, options: ExpandOptions = {}): Promise<ValueSet> {
  const offset = options.offset ?? 0;
  const count = options.count ?? MAX_EXPAND_COUNT;
  if (!Number.isInteger(offset) || offset < 0) {
    throw badRequest('offset must be a non-negative integer', 'offset');
  }
  if (!Number.isInteger(count) || count < 0 || count > MAX_EXPAND_COUNT) {
    throw badRequest(`count must be an integer from 0 to ${MAX_EXPAND_COUNT}`, 'count');
  }
  if (options.filter !== undefined && options.filter.length > MAX_FILTER_LENGTH) {
    throw badRequest(`filter must be at most ${MAX_FILTER_LENGTH} characters`, 'filter');
  }
  const activeOnly = options.activeOnly ?? !includesInactive(valueSet);
  const matches = (await expandCompose(valueSet, source))
    .filter((c) => !activeOnly || !c.inactive)
    .filter(textMatcher(options.filter, options.displayLanguage));
  const parameter: ValueSetExpansionParameter[] = [
    { name: 'offset', valueInteger: offset },
    { name: 'count', valueInteger: count },
  ];
  if (options.filter) {
    parameter.push({ name: 'filter', valueString: options.filter });
  }
  if (options.displayLanguage) {
    parameter.push({ name: 'displayLanguage', valueCode: options.displayLanguage });
  }
  if (options.activeOnly !== undefined) {
    parameter.push({ name: 'activeOnly', valueBoolean: options.activeOnly });
  }
  return {
    resourceType: 'ValueSet',
    id: valueSet.id,
    url: valueSet.url,
    version: valueSet.version,
    name: valueSet.name,
    title: valueSet.title,
    status: valueSet.status,
    expansion: {
      identifier: `urn:uuid:${randomUUID()}`,
      timestamp: new Date().toISOString(),
      total: matches.length,
      offset,
      parameter,
      contains: matches.slice(offset, offset + count).map((c) => toContains(c, options)),
    },
  };
}

/** The display for a language: a designation whose language equals the tag or its primary subtag. */
export function displayIn(concept: Pick<ExpandedConcept, 'display' | 'designation'>, language: string | undefined): string | undefined {
  if (!language) {
    return concept.display;
  }
  const wanted = language.toLowerCase();
  const primary = wanted.split('-')[0];
  const designations = concept.designation.filter((d) => d.value && (!d.use || d.use.code === 'display'));
  const exact = designations.find((d) => d.language?.toLowerCase() === wanted);
  const near = designations.find((d) => d.language?.toLowerCase().split('-')[0] === primary);
  return exact?.value ?? near?.value ?? concept.display;
}

function toContains(concept: ExpandedConcept, options: ExpandOptions): ValueSetExpansionContains {
  const contains: ValueSetExpansionContains = { system: concept.system };
  if (concept.version) {
    contains.version = concept.version;
  }
  contains.code = concept.code;
  const display = displayIn(concept, options.displayLanguage);
  if (display) {
    contains.display = display;
  }
  if (concept.abstract) {
    contains.abstract = true;
  }
  if (concept.inactive) {
    contains.inactive = true;
  }
  if (options.includeDesignations && concept.designation.length > 0) {
    contains.designation = [...concept.designation];
  }
  return contains;
}

/** Lower-case, accents removed, so "cardiologia" finds "Cardiología". */
function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function textMatcher(filter: string | undefined, language: string | undefined): (concept: ExpandedConcept) => boolean {
  const terms = normalise(filter ?? '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (terms.length === 0) {
    return () => true;
  }
  return (concept) => {
    const texts = [concept.code, concept.display, displayIn(concept, language), ...concept.designation.map((d) => d.value)];
    const words = normalise(texts.filter(Boolean).join(' ')).split(/[^\p{L}\p{N}]+/u);
    return terms.every((term) => words.some((word) => word.startsWith(term)));
  };
}
