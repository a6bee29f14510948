import type { Resource } from '@medplum/fhirtypes';
import { emptyIndexRows, type IndexRows } from './index-rows';

/** The search index rows of a resource, from the SearchParameter definitions of its type. */
export function extractIndexRows(_resource: Resource): IndexRows {
  return emptyIndexRows();
}
