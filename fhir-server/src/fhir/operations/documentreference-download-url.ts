import type { DocumentReference, OperationDefinition } from '@medplum/fhirtypes';
import { principalLabel } from '../../auth/principal';
import { requireDocuments } from '../documents/binary-content';
import { parseStored, requireLive } from '../interactions/stored-resource';
import { badRequest, notFound } from '../outcomes';
import type { FhirOperation } from './fhir-operation';
import { inputQuery } from './parameters';

/**
 * `DocumentReference/{id}/$download-url`: a URL that downloads the document's content without
 * an access token until it expires (SIGNED_URL_TTL_SECONDS, default one hour). Only for
 * callers who may read both the DocumentReference and its Binary (404 otherwise); the request
 * is audited, and so is every download through the URL.
 */
export const documentReferenceDownloadUrl: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'DocumentReference-download-url',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/DocumentReference-download-url',
    name: 'DownloadUrl',
    status: 'active',
    kind: 'operation',
    code: 'download-url',
    resource: ['DocumentReference'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: false,
    parameter: [
      { name: 'content', use: 'in', min: 0, max: '1', type: 'integer', documentation: 'Index of the content entry (default 0)' },
      { name: 'url', use: 'out', min: 1, max: '1', type: 'url', documentation: 'Signed download URL' },
      { name: 'expires', use: 'out', min: 1, max: '1', type: 'instant' },
    ],
  },
  async handle(ctx, request, target) {
    const documents = requireDocuments(ctx);
    const id = target.id as string;
    const document = parseStored(
      requireLive(await ctx.repo.readCurrent('DocumentReference', id), 'DocumentReference', id),
    ) as DocumentReference;
    const index = Number(inputQuery(documentReferenceDownloadUrl.definition, request).get('content') ?? '0');
    if (!Number.isInteger(index) || index < 0) {
      throw badRequest('content must be a non-negative integer');
    }
    const url = document.content?.[index]?.attachment?.url;
    const binaryId = url ? binaryIdOf(url, ctx.baseUrl) : undefined;
    if (!binaryId) {
      throw notFound(`DocumentReference/${id} has no content ${index} stored on this server`);
    }
    // The caller must be able to read the Binary itself, not only the DocumentReference.
    requireLive(await ctx.repo.readCurrent('Binary', binaryId), 'Binary', binaryId);
    const grant = documents.grantDownload(binaryId, principalLabel(ctx.access.principal));
    return {
      status: 200,
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'url', valueUrl: grant.url },
          { name: 'expires', valueInstant: grant.expires.toISOString() },
        ],
      },
    };
  },
};

/** The id of `Binary/<id>` or `<base>/Binary/<id>`; undefined for anything stored elsewhere. */
function binaryIdOf(url: string, baseUrl: string): string | undefined {
  const relative = url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length + 1) : url;
  return /^Binary\/([A-Za-z0-9\-.]{1,64})$/.exec(relative)?.[1];
}
