import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import { createSearchParameterCatalog } from '../../src/definitions';
import { extractIndexRows } from '../../src/storage/indexing/extract-index-rows';
import { UCUM_CANONICAL } from '../../src/storage/indexing/quantity';

const catalog = createSearchParameterCatalog();

/** A SearchParameter definition of the R4 and profiles catalog, as the server loads it. */
export function catalogParameter(resourceType: string, code: string): SearchParameter | undefined {
  return catalog.get(resourceType, code);
}

/**
 * A search value that finds this resource by the parameter, derived from the index rows the
 * server extracts for it; undefined when the resource has no value for the parameter.
 */
export function searchValueFromExample(resource: Resource, code: string): string | undefined {
  const rows = extractIndexRows(resource, catalog);
  const string = rows.string.find((r) => r.param === code);
  if (string) {
    return string.raw;
  }
  const token = rows.token.find((r) => r.param === code && r.code);
  if (token) {
    return token.system ? `${token.system}|${token.code}` : (token.code as string);
  }
  const date = rows.date.find((r) => r.param === code);
  if (date) {
    return `ge${date.low}`;
  }
  const number = rows.number.find((r) => r.param === code);
  if (number) {
    return String(number.low);
  }
  const quantity = rows.quantity.find((r) => r.param === code && r.system !== UCUM_CANONICAL);
  if (quantity) {
    return `${quantity.low}|${quantity.system ?? ''}|${quantity.code ?? ''}`;
  }
  return rows.reference.find((r) => r.param === code)?.url ?? rows.uri.find((r) => r.param === code)?.value;
}
