import type { OperationDefinition, OperationDefinitionParameter } from '@medplum/fhirtypes';
import type { FhirRequest } from '../fhir-request';
import { badRequest } from '../outcomes';
import { inputQuery } from './parameters';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The parameters Patient and Encounter `$everything` share: `_since`, `_type`, `_count` and the Bundle. */
export const EVERYTHING_PARAMETERS: readonly OperationDefinitionParameter[] = [
  { name: '_since', use: 'in', min: 0, max: '1', type: 'instant' },
  { name: '_type', use: 'in', min: 0, max: '*', type: 'code' },
  { name: '_count', use: 'in', min: 0, max: '1', type: 'integer' },
  { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
];

/** An `$everything`'s inputs: the search query left to run, the `_type`s asked for, and what its links repeat. */
export interface EverythingQuery {
  /** The request as a search: `_since` became `_lastUpdated=ge`, `_type` taken out. */
  readonly request: FhirRequest;
  /** The types of `_type`, each once; undefined when not given. */
  readonly types?: readonly string[];
  /** Parameters the links repeat that are not search parameters (`_type`). */
  readonly linkParams: URLSearchParams;
}

/**
 * The common inputs of Patient and Encounter `$everything` (patient-operation-everything.html,
 * encounter-operation-everything.html), from the query or a POSTed Parameters body: `_type`
 * (comma-separated or repeated) and `_since` (an instant: what changed at or after it).
 */
export function everythingQuery(definition: OperationDefinition & { code: string }, request: FhirRequest): EverythingQuery {
  const query = new URLSearchParams(inputQuery(definition, request));
  const types = [
    ...new Set(
      query
        .getAll('_type')
        .flatMap((value) => value.split(','))
        .map((type) => type.trim())
        .filter(Boolean),
    ),
  ];
  query.delete('_type');
  const since = query.get('_since');
  if (since !== null) {
    if (!INSTANT.test(since) || Number.isNaN(Date.parse(since))) {
      throw badRequest(`_since must be an instant (e.g. 2026-12-01T00:00:00Z), not ${JSON.stringify(since)}`);
    }
    query.delete('_since');
    query.append('_lastUpdated', `ge${since}`);
  }
  return {
    request: { ...request, method: 'GET', query },
    types: types.length > 0 ? types : undefined,
    linkParams: new URLSearchParams(types.length > 0 ? { _type: types.join(',') } : {}),
  };
}
