import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { SearchParameterCatalog } from '../../definitions';
import { addDateRows } from './date';
import { addFullTextRows, fullTextParametersOf } from './full-text';
import type { ReferenceDerivation } from '../search-query';
import { emptyIndexRows, type IndexRows, type IndexTable, type ReferenceRow } from './index-rows';
import { componentParam, indexedParametersOf, referenceDerivationsOf, type IndexedParameter } from './indexed-parameters';
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
  for (const param of indexedParametersOf(catalog, resource.resourceType)) {
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
  removeDerivedRows(rows.reference, referenceDerivationsOf(catalog, resource.resourceType));
  addFullTextRows(rows.text, resource, fullTextParametersOf(catalog, resource.resourceType));
  return rows;
}

/**
 * Drops the local rows of derived parameters that their sources' rows already hold (see
 * referenceDerivation). Neither kind is ever a composite component (those rows are stored
 * under `<code>#<i>`), so `grp` plays no part.
 */
function removeDerivedRows(rows: ReferenceRow[], derived: ReadonlyMap<string, ReferenceDerivation>): void {
  if (derived.size === 0) {
    return;
  }
  const stored = new Set(rows.map((row) => `${row.param} ${row.url}`));
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    const derivation = derived.get(row.param);
    if (
      derivation &&
      row.target_type === derivation.targetType &&
      derivation.sources.some((source) => stored.has(`${source} ${row.url}`))
    ) {
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
