import type { OperationOutcomeIssue, Resource, SearchParameter } from '@medplum/fhirtypes';
import { searchParameterErrors } from '../../definitions/search-parameter-rules';

/**
 * A SearchParameter written through the API takes effect for search (searchparameter.html),
 * so one the server could not index or parse a query for is refused at write time.
 */
export function searchParameterIssues(resource: Resource): OperationOutcomeIssue[] {
  if (resource.resourceType !== 'SearchParameter') {
    return [];
  }
  return searchParameterErrors(resource as SearchParameter).map((text) => ({
    severity: 'error',
    code: 'value',
    diagnostics: `SearchParameter: ${text}`,
    expression: ['SearchParameter'],
  }));
}
