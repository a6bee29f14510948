import type { OperationDefinition, Parameters, SearchParameter } from '@medplum/fhirtypes';
import { allResourceTypes, isResourceType } from '../../definitions';
import type { ReindexStatus } from '../../storage/fhir-repository';
import { parseStored } from '../interactions/stored-resource';
import { badRequest, forbidden, notFound } from '../outcomes';
import type { FhirOperation } from './fhir-operation';
import { partsOf } from './parameters';

/** How long a request works on the job before answering; the rest runs in the background. */
const WAIT_MS = 10_000;

/**
 * `$reindex`: extracts the search index rows of existing resources again, in bounded batches,
 * after search parameters changed (searchparameter.html). On a SearchParameter instance it
 * reindexes the types of the parameter's base; at system level the types given as `type`
 * parameters, or all. Writing a SearchParameter queues this automatically; the operation
 * is for doing it on demand and seeing progress. The answer says whether the job completed
 * within the request; otherwise the server's background worker finishes it.
 */
export const searchParameterReindex: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'SearchParameter-reindex',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/SearchParameter-reindex',
    name: 'Reindex',
    status: 'active',
    kind: 'operation',
    code: 'reindex',
    resource: ['SearchParameter'] as OperationDefinition['resource'],
    system: true,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [
      { name: 'type', use: 'in', min: 0, max: '*', type: 'code', documentation: 'Resource types to reindex (system level; default all)' },
      { name: 'job', use: 'out', min: 1, max: '1', type: 'string' },
      { name: 'status', use: 'out', min: 1, max: '1', type: 'code', documentation: 'completed | in-progress' },
      { name: 'processed', use: 'out', min: 1, max: '1', type: 'integer' },
    ],
  },
  async handle(ctx, request, target) {
    // Reindexing rewrites the index of every resource of the types: for those who may change search parameters.
    if (!ctx.access.unrestricted && !ctx.access.permits('SearchParameter', 'u')) {
      throw forbidden('$reindex needs permission to update SearchParameters');
    }
    let types: readonly string[];
    if (target.id) {
      const stored = await ctx.repo.readCurrent('SearchParameter', target.id);
      if (!stored || stored.deleted) {
        throw notFound(`SearchParameter/${target.id} not found`);
      }
      types = typesOfBase((parseStored(stored) as SearchParameter).base ?? []);
    } else {
      const listed = [...request.query.getAll('type'), ...typesFromBody(request.body)].flatMap((t) => t.split(','));
      const unknown = listed.filter((type) => !isResourceType(type));
      if (unknown.length > 0) {
        throw badRequest(`$reindex: unknown resource types ${unknown.join(', ')}`);
      }
      types = listed.length > 0 ? listed : allResourceTypes();
    }
    const status = await ctx.repo.reindex(types, WAIT_MS);
    return { status: 200, resource: toParameters(status) };
  },
};

function typesOfBase(base: readonly string[]): readonly string[] {
  return base.includes('Resource') || base.includes('DomainResource') ? allResourceTypes() : base.filter(isResourceType);
}

function typesFromBody(body: unknown): string[] {
  const parameters = body as Parameters | undefined;
  if (parameters?.resourceType !== 'Parameters') {
    return [];
  }
  return partsOf(parameters)
    .filter((p) => p.name === 'type')
    .map((p) => p.valueCode ?? p.valueString ?? '');
}

function toParameters(status: ReindexStatus): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'job', valueString: status.id },
      { name: 'status', valueCode: status.done ? 'completed' : 'in-progress' },
      { name: 'processed', valueInteger: status.processed },
    ],
  };
}
