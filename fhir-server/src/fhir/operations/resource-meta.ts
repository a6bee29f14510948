import type { Meta, OperationDefinitionParameter } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir-request';
import { lockCurrent, writeNextVersion } from '../interactions/update';
import { checkIfMatch, parseStored, requireLive } from '../interactions/stored-resource';
import { badRequest } from '../outcomes';
import { addLabels, removeLabels, requireLabels, sameLabels, type MetaLabels } from '../patch/meta-labels';
import { requireValidResource } from '../validation/resource-validator';
import { ANY_RESOURCE_TYPE, type FhirOperation, type OperationTarget } from './fhir-operation';
import { OperationInput, outputParameters } from './parameters';

const RETURN_META: OperationDefinitionParameter = { name: 'return', use: 'out', min: 1, max: '1', type: 'Meta' };
const META_IN: OperationDefinitionParameter = { name: 'meta', use: 'in', min: 1, max: '1', type: 'Meta' };

/** `[type]/[id]/$meta` (resource-operation-meta.html): the current version's meta. */
export const resourceMeta: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Resource-meta',
    url: 'http://hl7.org/fhir/OperationDefinition/Resource-meta',
    name: 'Meta',
    status: 'active',
    kind: 'operation',
    code: 'meta',
    resource: ANY_RESOURCE_TYPE,
    system: false,
    type: false,
    instance: true,
    affectsState: false,
    parameter: [RETURN_META],
  },
  async handle(ctx, request, target) {
    OperationInput.read(resourceMeta.definition, request);
    const { resourceType, id } = target as Required<OperationTarget>;
    const current = requireLive(await ctx.repo.readCurrent(resourceType, id), resourceType, id);
    return metaResponse(parseStored(current).meta);
  },
};

/**
 * `POST [type]/[id]/$meta-add` (resource-operation-meta-add.html): adds profiles, tags and
 * security labels. Versions here are immutable (what was read once stays as it was read), so a
 * change is stored as the next version, validated like any update (an added profile must be
 * met) and guarded by `If-Match`; adding only what is already there stores nothing.
 */
export const resourceMetaAdd = labelOperation('meta-add', 'MetaAdd', addLabels);

/** `POST [type]/[id]/$meta-delete` (resource-operation-meta-delete.html): removes them, as $meta-add adds them. */
export const resourceMetaDelete = labelOperation('meta-delete', 'MetaDelete', removeLabels);

function labelOperation(code: string, name: string, change: (meta: Meta | undefined, labels: MetaLabels) => Meta): FhirOperation {
  const operation: FhirOperation = {
    definition: {
      resourceType: 'OperationDefinition',
      id: `Resource-${code}`,
      url: `http://hl7.org/fhir/OperationDefinition/Resource-${code}`,
      name,
      status: 'active',
      kind: 'operation',
      code,
      resource: ANY_RESOURCE_TYPE,
      system: false,
      type: false,
      instance: true,
      affectsState: true,
      parameter: [META_IN, RETURN_META],
    },
    handle: (ctx, request, target) => changeLabels(ctx, request, target, operation, change),
  };
  return operation;
}

async function changeLabels(
  ctx: FhirContext,
  request: FhirRequest,
  target: OperationTarget,
  operation: FhirOperation,
  change: (meta: Meta | undefined, labels: MetaLabels) => Meta,
): Promise<FhirResponse> {
  const meta = OperationInput.read(operation.definition, request).meta('meta');
  if (!meta) {
    throw badRequest(`$${operation.definition.code} takes a Parameters body with a "meta" parameter (valueMeta)`, 'meta');
  }
  const labels = requireLabels(meta);
  const { resourceType, id } = target as Required<OperationTarget>;
  return ctx.repo.transaction(async (repo) => {
    const txCtx = { ...ctx, repo };
    const current = requireLive(await lockCurrent(repo, resourceType, id), resourceType, id);
    checkIfMatch(request.headers.ifMatch, current);
    const resource = parseStored(current);
    const changed = change(resource.meta, labels);
    if (sameLabels(changed, resource.meta)) {
      return metaResponse(resource.meta);
    }
    const valid = await requireValidResource(txCtx, { ...resource, meta: changed }, resourceType);
    const written = await writeNextVersion(txCtx, { ...valid, id }, 'PATCH', undefined, current);
    return metaResponse(written.resource?.meta);
  });
}

function metaResponse(meta: Meta | undefined): FhirResponse {
  return { status: 200, resource: outputParameters([{ name: 'return', valueMeta: meta ?? {} }]) };
}
