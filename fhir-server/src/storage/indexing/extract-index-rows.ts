import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { SearchParameterCatalog } from '../../definitions';
import { addDateRows } from './date';
import type { ReferenceDerivation } from '../search-query';
import { emptyIndexRows, type IndexRows, type IndexTable, type ReferenceRow } from './index-rows';
import { componentParam, indexedParametersOf, type IndexedParameter } from './indexed-parameters';
import { addNumberRows } from './number';
import { addQuantityRows } from './quantity';
import { addReferenceRows } from './reference';
import { addStringRows } from './string';
import { addTokenRows } from './token';
import { addUriRows } from './uri';

export interface IndexingOptions {
  /** This server's FHIR base URL: absolute references below it are indexed as local. */
  readonly baseUrl?: string;
  /** Evaluate every expression with the FHIRPath engine (tests compare it with the direct paths). */
  readonly fhirPathOnly?: boolean;
}

/**
 * The search index rows of a resource, from the SearchParameter definitions of its type
 * (FHIRPath expressions parsed once per type). A parameter whose expression fails on this
 * resource contributes no rows rather than failing the write.
 */
export function extractIndexRows(resource: Resource, catalog: SearchParameterCatalog, options: IndexingOptions = {}): IndexRows {
  const rows = emptyIndexRows();
  const root = toTypedValue(resource);
  const input = [root];
  const variables = { '%resource': root, '%rootResource': root };
  let group = 0;
  const params = indexedParametersOf(catalog, resource.resourceType);
  for (const param of params) {
    const values = evaluate(param, input, variables, options.fhirPathOnly);
    if (values.length === 0) {
      continue;
    }
    if (param.type === 'composite') {
      group = addCompositeRows(rows, param, values, variables, options, group);
    } else {
      addRows(rows, param.type, param.code, values, param.phonetic, options, undefined);
    }
  }
  removeDerivedRows(rows.reference, params);
  return rows;
}

/** Drops the local rows of derived parameters that their sources' rows already hold (see referenceDerivation). */
function removeDerivedRows(rows: ReferenceRow[], params: readonly IndexedParameter[]): void {
  const derived = new Map(params.filter((p) => p.derived).map((p) => [p.code, p.derived as ReferenceDerivation]));
  if (derived.size === 0) {
    return;
  }
  const stored = new Set(rows.filter((row) => row.grp === undefined).map((row) => `${row.param} ${row.url}`));
  const repeats = (row: ReferenceRow, { sources, targetType }: ReferenceDerivation) =>
    row.target_type === targetType && row.grp === undefined && sources.some((source) => stored.has(`${source} ${row.url}`));
  for (let i = rows.length - 1; i >= 0; i--) {
    const derivation = derived.get(rows[i].param);
    if (derivation && repeats(rows[i], derivation)) {
      rows.splice(i, 1);
    }
  }
}

function evaluate(
  param: IndexedParameter,
  input: TypedValue[],
  variables: Record<string, TypedValue>,
  fhirPathOnly?: boolean,
): TypedValue[] {
  try {
    return param.path && !fhirPathOnly ? param.path(input[0].value) : evalFhirPathTyped(param.expression, input, variables);
  } catch {
    return [];
  }
}

/**
 * A composite value becomes one group of component rows (one row set per component, all with
 * the same `grp`), stored under `<code>#<i>`; a search joins the components on `grp`.
 */
function addCompositeRows(
  rows: IndexRows,
  param: IndexedParameter,
  values: readonly TypedValue[],
  variables: Record<string, TypedValue>,
  options: IndexingOptions,
  group: number,
): number {
  const components = param.components ?? [];
  for (const value of values) {
    const componentValues: TypedValue[][] = [];
    for (const component of components) {
      try {
        componentValues.push(evalFhirPathTyped(component.expression, [value], variables));
      } catch {
        componentValues.push([]);
      }
    }
    if (componentValues.some((v) => v.length === 0)) {
      continue;
    }
    group++;
    components.forEach((component, i) =>
      addRows(rows, component.type, componentParam(param.code, i), componentValues[i], false, options, group),
    );
  }
  return group;
}

function addRows(
  rows: IndexRows,
  table: IndexTable,
  param: string,
  values: readonly TypedValue[],
  phonetic: boolean,
  options: IndexingOptions,
  grp: number | undefined,
): void {
  switch (table) {
    case 'string':
      return addStringRows(rows.string, param, values, phonetic, grp);
    case 'token':
      return addTokenRows(rows.token, param, values, grp);
    case 'date':
      return addDateRows(rows.date, param, values, grp);
    case 'number':
      return addNumberRows(rows.number, param, values, grp);
    case 'quantity':
      return addQuantityRows(rows.quantity, param, values, grp);
    case 'reference':
      return addReferenceRows(rows.reference, rows.token, param, values, options.baseUrl, grp);
    case 'uri':
      return addUriRows(rows.uri, param, values, grp);
  }
}
