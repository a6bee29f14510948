import { parseImportRequest } from '../bulk-import/import-request';
import { informational, notSupported, tooManyRequests, unauthorized } from '../outcomes';
import type { FhirOperation } from './fhir-operation';

/** Where the status of an import job is polled (and DELETEd to cancel), below the FHIR base. */
export const IMPORT_STATUS_PATH = '_import';

/**
 * Bulk Data `$import` (the Bulk Data import proposal's "ping and pull", as HAPI implements it):
 * a Parameters body naming NDJSON inputs by URL; 202 Accepted and a Content-Location to poll.
 * The server fetches each input and writes every line as an update by the caller, so scopes
 * and access rules apply per resource. NDJSON can also be POSTed directly (http/bulk-import-routes.ts).
 */
export const systemImport: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'import',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/import',
    name: 'BulkDataImport',
    status: 'active',
    kind: 'operation',
    code: 'import',
    system: true,
    type: false,
    instance: false,
    affectsState: true,
    parameter: [
      { name: 'inputFormat', use: 'in', min: 0, max: '1', type: 'code', documentation: 'application/fhir+ndjson (the default)' },
      { name: 'inputSource', use: 'in', min: 0, max: '1', type: 'uri' },
      {
        name: 'input',
        use: 'in',
        min: 1,
        max: '*',
        part: [
          { name: 'type', use: 'in', min: 0, max: '1', type: 'code' },
          { name: 'url', use: 'in', min: 1, max: '1', type: 'uri' },
        ],
      },
    ],
  },
  async handle(ctx, request) {
    const importer = ctx.bulkImport;
    if (!importer) {
      throw notSupported('Bulk import is not available on this server');
    }
    if (ctx.access.principal.kind === 'anonymous') {
      throw unauthorized('$import needs an access token');
    }
    const importRequest = parseImportRequest(ctx.access, request.body, `${ctx.baseUrl}/$import`, (url) => importer.urlProblem(url));
    const job = await importer.kickOff(ctx.access.principal, importRequest);
    if (!job) {
      throw tooManyRequests('Too many imports in progress for this client; wait for one to finish or cancel it');
    }
    return { status: 202, location: `${ctx.baseUrl}/${IMPORT_STATUS_PATH}/${job.id}`, resource: informational(`Import ${job.id} started`) };
  },
};
