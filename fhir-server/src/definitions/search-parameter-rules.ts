import { parseFhirPath } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { isResourceType } from './index';

const CODE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const TYPES = new Set(['string', 'token', 'date', 'number', 'quantity', 'reference', 'uri', 'composite']);
const ABSTRACT_BASES = new Set(['Resource', 'DomainResource']);

/**
 * Why a SearchParameter cannot be used for search here (empty when it can): a code that
 * could not appear in a query string unambiguously, a base that is not a resource type, an
 * unsupported type, or an expression that does not parse. Checked when one is written
 * through the API, and again when custom parameters are loaded.
 */
export function searchParameterProblems(param: SearchParameter): string[] {
  const problems: string[] = [];
  if (!param.code || !CODE.test(param.code)) {
    problems.push('code must start with a letter and contain only letters, digits, "-" and "_" (at most 64)');
  }
  const bases = (param.base ?? []) as readonly string[];
  if (bases.length === 0 || bases.some((base) => !isResourceType(base) && !ABSTRACT_BASES.has(base))) {
    problems.push('base must list resource types');
  }
  if (!TYPES.has(param.type as string)) {
    problems.push(`type ${param.type} is not supported for search`);
  }
  if (!param.expression) {
    problems.push('expression (FHIRPath) is required');
  } else {
    try {
      parseFhirPath(param.expression);
    } catch (error) {
      problems.push(`expression does not parse: ${(error as Error).message}`);
    }
  }
  if (param.type === 'composite' && (param.component?.length ?? 0) < 2) {
    problems.push('a composite parameter needs at least two components');
  }
  return problems;
}

/** Custom parameters in force: not retired, and usable. */
export function isUsableSearchParameter(param: SearchParameter): boolean {
  return param.status !== 'retired' && searchParameterProblems(param).length === 0;
}
