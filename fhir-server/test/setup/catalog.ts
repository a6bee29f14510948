import type { SearchParameter } from '@medplum/fhirtypes';
import { createSearchParameterCatalog } from '../../src/definitions';

const catalog = createSearchParameterCatalog();

/** A SearchParameter definition of the R4 and profiles catalog, as the server loads it. */
export function catalogParameter(resourceType: string, code: string): SearchParameter | undefined {
  return catalog.get(resourceType, code);
}
