import { parseFhirPath } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { isResourceType } from './index';

const CODE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const TYPES = new Set(['string', 'token', 'date', 'number', 'quantity', 'reference', 'uri', 'composite']);
const ABSTRACT_BASES = new Set(['Resource', 'DomainResource']);

/**
 * What is wrong with a SearchParameter that is to be stored (empty when nothing is): a code
 * that could not appear in a query string unambiguously, a base that is not a resource type,
 * or an expression that does not parse. Checked when one is written through the API.
 */
export function searchParameterErrors(param: SearchParameter): string[] {
  const problems: string[] = [];
  if (!param.code || !CODE.test(param.code)) {
    problems.push('code must start with a letter and contain only letters, digits, "-" and "_" (at most 64)');
  }
  const bases = (param.base ?? []) as readonly string[];
  if (bases.length === 0 || bases.some((base) => !isResourceType(base) && !ABSTRACT_BASES.has(base))) {
    problems.push('base must list resource types');
  }
  if (param.expression) {
    try {
      parseFhirPath(param.expression);
    } catch (error) {
      problems.push(`expression does not parse as FHIRPath: ${(error as Error).message}`);
    }
  }
  if (param.type === 'composite' && (param.component?.length ?? 0) < 2) {
    problems.push('a composite parameter needs at least two components');
  }
  return problems;
}

/**
 * Whether a stored SearchParameter takes part in search: not retired, without errors, with an
 * expression, and of a type this server searches (others are kept, but only as resources).
 */
export function isUsableSearchParameter(param: SearchParameter): boolean {
  return param.status !== 'retired' && !!param.expression && TYPES.has(param.type as string) && searchParameterErrors(param).length === 0;
}
