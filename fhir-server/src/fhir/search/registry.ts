// PLACEHOLDER written by the lead so the server compiles; the search helper replaces this file.
import { getSearchParameters } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';

export function supportedSearchParameters(resourceType: string): SearchParameter[] {
  return Object.values(getSearchParameters(resourceType) ?? {});
}
