import { parseFhirPath, type FhirPathAtom } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { isResourceType, type SearchParameterCatalog } from '../../definitions';
import type { ReferenceDerivation } from '../search-query';
import type { IndexTable } from './index-rows';
import { compilePathEvaluator, type PathEvaluator } from './path-evaluator';

/** A SearchParameter of one resource type, ready to extract index rows. */
export interface IndexedParameter {
  readonly code: string;
  readonly type: IndexTable | 'composite';
  /** The expression restricted to this resource type, parsed once. */
  readonly expression: FhirPathAtom;
  /** A direct JSON walk equivalent to `expression`, when it is a simple path (most are). */
  readonly path?: PathEvaluator;
  /** Phonetic string parameters index a Soundex code of each word. */
  readonly phonetic: boolean;
  readonly components?: readonly IndexedComponent[];
  /** Set when the parameter's local reference rows repeat those of other parameters (see referenceDerivation). */
  readonly derived?: ReferenceDerivation;
}

export interface IndexedComponent {
  readonly type: IndexTable;
  /** Relative to each value of the composite's expression. */
  readonly expression: FhirPathAtom;
}

/** `_id` and `_lastUpdated` are columns of `resource`, not index rows. */
const COLUMN_PARAMETERS = new Set(['_id', '_lastUpdated']);
const VALUE_TYPES = new Set<string>(['string', 'token', 'date', 'number', 'quantity', 'reference', 'uri']);

/** Composite component rows are stored under `<composite code>#<component index>`. */
export function componentParam(code: string, index: number): string {
  return `${code}#${index}`;
}

const cache = new WeakMap<SearchParameterCatalog, { version: number; byType: Map<string, readonly IndexedParameter[]> }>();

/**
 * The parameters of a resource type that produce index rows, compiled once per type and
 * catalog version. Expressions shared by many types (`Condition.code | Observation.code | ...`)
 * keep only their branches for this type, which makes evaluation an order of magnitude cheaper.
 */
export function indexedParametersOf(catalog: SearchParameterCatalog, resourceType: string): readonly IndexedParameter[] {
  let entry = cache.get(catalog);
  if (!entry || entry.version !== catalog.version) {
    entry = { version: catalog.version, byType: new Map() };
    cache.set(catalog, entry);
  }
  let params = entry.byType.get(resourceType);
  if (!params) {
    params = compileParameters(catalog, resourceType);
    entry.byType.set(resourceType, params);
  }
  return params;
}

const derivationCache = new WeakMap<readonly IndexedParameter[], ReadonlyMap<string, ReferenceDerivation>>();

/** The derived reference parameters of a type, by code (see referenceDerivation), once per compiled list. */
export function referenceDerivationsOf(catalog: SearchParameterCatalog, resourceType: string): ReadonlyMap<string, ReferenceDerivation> {
  const params = indexedParametersOf(catalog, resourceType);
  let derivations = derivationCache.get(params);
  if (!derivations) {
    derivations = new Map(params.flatMap((p): [string, ReferenceDerivation][] => (p.derived ? [[p.code, p.derived]] : [])));
    derivationCache.set(params, derivations);
  }
  return derivations;
}

function compileParameters(catalog: SearchParameterCatalog, resourceType: string): IndexedParameter[] {
  const compiled: IndexedParameter[] = [];
  const referenceExpressions = new Map<string, string>();
  for (const param of catalog.parametersOf(resourceType).values()) {
    const indexed = compileParameter(catalog, resourceType, param);
    if (indexed) {
      compiled.push(indexed);
      if (indexed.type === 'reference') {
        referenceExpressions.set(indexed.code, expressionFor(param.expression as string, resourceType) as string);
      }
    }
  }
  return compiled.map((indexed) => {
    const derived = indexed.type === 'reference' ? referenceDerivation(resourceType, indexed.code, referenceExpressions) : undefined;
    return derived ? { ...indexed, derived } : indexed;
  });
}

const TYPED_BRANCH = /^(.+)\.where\(resolve\(\) is ([A-Z][A-Za-z]+)\)$/;

/**
 * A reference parameter whose expression is other reference parameters' expressions narrowed
 * to one target type, e.g. Observation `patient` = `Observation.subject.where(resolve() is
 * Patient)` beside `subject` = `Observation.subject`, or AuditEvent `patient` = `agent.who` and
 * `entity.what` narrowed to Patient. Its local rows (target type and id known) would repeat
 * rows of those parameters, so they are not stored: the search reads the sources' rows of the
 * target type instead (search-sql/reference-param.ts). Its other rows (absolute URLs of other
 * servers, conditional references) are stored as usual. On an AuditEvent, written for every
 * request, this halves the reference rows.
 */
function referenceDerivation(
  resourceType: string,
  code: string,
  expressions: ReadonlyMap<string, string>,
): ReferenceDerivation | undefined {
  const sources: string[] = [];
  let targetType: string | undefined;
  for (const branch of splitUnion(expressions.get(code) ?? '')) {
    const typed = TYPED_BRANCH.exec(branch);
    const source = typed && [...expressions].find(([other, expression]) => other !== code && expression === typed[1].trim())?.[0];
    if (!typed || !source || (targetType && targetType !== typed[2])) {
      return undefined;
    }
    targetType = typed[2];
    sources.push(source);
  }
  return targetType ? { resourceType, sources, targetType } : undefined;
}

/** The compiled parameter, or undefined when it cannot be indexed (no expression, special type). */
export function compileParameter(
  catalog: SearchParameterCatalog,
  resourceType: string,
  param: SearchParameter,
): IndexedParameter | undefined {
  const code = param.code as string;
  if (COLUMN_PARAMETERS.has(code) || !param.expression) {
    return undefined;
  }
  const expression = expressionFor(param.expression, resourceType);
  if (!expression) {
    return undefined;
  }
  const atom = tryParse(expression);
  if (!atom) {
    return undefined;
  }
  if (param.type === 'composite') {
    const components = compileComponents(catalog, param);
    return components ? { code, type: 'composite', expression: atom, phonetic: false, components } : undefined;
  }
  if (!VALUE_TYPES.has(param.type as string)) {
    return undefined;
  }
  return {
    code,
    type: param.type as IndexTable,
    expression: atom,
    path: compilePathEvaluator(expression, resourceType),
    phonetic: param.xpathUsage === 'phonetic',
  };
}

function compileComponents(catalog: SearchParameterCatalog, param: SearchParameter): IndexedComponent[] | undefined {
  const components: IndexedComponent[] = [];
  for (const component of param.component ?? []) {
    const definition = component.definition ? catalog.byUrl(component.definition) : undefined;
    const atom = component.expression ? tryParse(component.expression) : undefined;
    if (!definition || !atom || !VALUE_TYPES.has(definition.type as string)) {
      return undefined;
    }
    components.push({ type: definition.type as IndexTable, expression: atom });
  }
  return components.length >= 2 ? components : undefined;
}

function tryParse(expression: string): FhirPathAtom | undefined {
  try {
    return parseFhirPath(expression);
  } catch {
    return undefined;
  }
}

/**
 * The branches of a top-level union that apply to this resource type, with `Resource.` and
 * `DomainResource.` roots rewritten to the type; undefined when no branch applies.
 */
export function expressionFor(expression: string, resourceType: string): string | undefined {
  const branches: string[] = [];
  for (const branch of splitUnion(expression)) {
    const root = /^\(*\s*([A-Za-z]+)/.exec(branch)?.[1];
    if (root === 'Resource' || root === 'DomainResource') {
      branches.push(branch.replace(/^(\(*\s*)(?:Resource|DomainResource)\b/, `$1${resourceType}`));
    } else if (root === resourceType || !root || !isResourceType(root)) {
      branches.push(branch);
    }
  }
  return branches.length > 0 ? branches.join(' | ') : undefined;
}

/** Splits `a | b | (c | d)` at its top-level `|` (outside parentheses and string literals). */
function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (quoted) {
      if (c === '\\') {
        i++;
      } else if (c === "'") {
        quoted = false;
      }
    } else if (c === "'") {
      quoted = true;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter(Boolean);
}
