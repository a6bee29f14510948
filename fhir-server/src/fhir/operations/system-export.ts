import type { OperationDefinition } from '@medplum/fhirtypes';
import { parseExportRequest, resolveTypeFilters, type ExportLevel } from '../bulk-export/export-request';
import { badRequest, notSupported, informational, tooManyRequests, unauthorized } from '../outcomes';
import type { FhirOperation } from './fhir-operation';
import { inputQuery } from './parameters';

/** Where the status of an export job is polled (and DELETEd to cancel), below the FHIR base. */
export const EXPORT_STATUS_PATH = '_export';

/**
 * FHIR Bulk Data `$export` (https://hl7.org/fhir/uv/bulkdata/export.html), at system level,
 * on `Patient` (every patient's compartment the caller may read) and on `Group/{id}` (its
 * member patients): 202 Accepted and a Content-Location to poll; the job runs in the
 * background with the caller's access, so scopes limit the types and compartments exported.
 */
export const systemExport: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'export',
    url: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
    name: 'BulkDataExport',
    status: 'active',
    kind: 'operation',
    code: 'export',
    resource: ['Patient', 'Group'] as OperationDefinition['resource'],
    system: true,
    type: true,
    instance: true,
    affectsState: false,
    parameter: [
      { name: '_outputFormat', use: 'in', min: 0, max: '1', type: 'string', documentation: 'application/fhir+ndjson (the default)' },
      { name: '_since', use: 'in', min: 0, max: '1', type: 'instant' },
      { name: '_type', use: 'in', min: 0, max: '*', type: 'string' },
      { name: '_typeFilter', use: 'in', min: 0, max: '*', type: 'string' },
      { name: 'patient', use: 'in', min: 0, max: '*', type: 'Reference', documentation: 'Patient and Group level: these patients only' },
      {
        name: '_elements',
        use: 'in',
        min: 0,
        max: '*',
        type: 'string',
        documentation: 'element or Type.element; mandatory elements are kept',
      },
    ],
  },
  async handle(ctx, request, target) {
    if (!ctx.bulkExport) {
      throw notSupported('Bulk export is not available on this server');
    }
    if (ctx.access.principal.kind === 'anonymous') {
      throw unauthorized('$export needs an access token');
    }
    let level: ExportLevel = 'system';
    if (target.resourceType) {
      level =
        target.resourceType === 'Group' && target.id ? 'group' : target.resourceType === 'Patient' && !target.id ? 'patient' : 'system';
      if (level === 'system') {
        throw badRequest('$export is available at system level, on Patient and on Group/{id}');
      }
    }
    const parsed = parseExportRequest(ctx.access, inputQuery(systemExport.definition, request), level, ctx.baseUrl, target.id);
    const exportRequest = await resolveTypeFilters(ctx, parsed);
    const job = await ctx.bulkExport.kickOff(ctx.access.principal, exportRequest);
    if (!job) {
      throw tooManyRequests('Too many exports in progress for this client; wait for one to finish or cancel it');
    }
    return { status: 202, location: `${ctx.baseUrl}/${EXPORT_STATUS_PATH}/${job.id}`, resource: informational(`Export ${job.id} started`) };
  },
};
