import { evalFhirPathTyped, getSearchParameter, toTypedValue } from '@medplum/core';
import type { Reference, Resource } from '@medplum/fhirtypes';
import type { IndexRows } from './indexing/index-rows';

/**
 * Reference rows for the compartment parameters of a resource, evaluated with FHIRPath from
 * their SearchParameter expressions. patient-compartments.ts uses them when the search index
 * has no reference rows for the resource, so that compartment membership (and with it every
 * patient access filter) never depends on which parameters the search engine indexes.
 */
export function compartmentReferenceRows(resource: Resource, params: readonly string[]): IndexRows['reference'] {
  const rows: IndexRows['reference'] = [];
  for (const param of params) {
    const expression = getSearchParameter(resource.resourceType, param)?.expression;
    if (!expression) {
      continue;
    }
    for (const value of evalFhirPathTyped(expression, [toTypedValue(resource)])) {
      const reference = (value.value as Reference | undefined)?.reference;
      const match = typeof reference === 'string' ? /(?:^|\/)(Patient)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference) : null;
      if (match) {
        rows.push({ param, target_type: match[1], target_id: match[2], url: reference as string });
      }
    }
  }
  return rows;
}
