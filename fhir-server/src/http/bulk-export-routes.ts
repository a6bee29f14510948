import type { Context, Next } from 'koa';
import { principalLabel, type Principal } from '../auth/principal';
import type { BlobStore } from '../domain/documents/blob-store';
import type { BulkExporter, ExportJob } from '../fhir/bulk-export/bulk-exporter';
import type { ExportRequest } from '../fhir/bulk-export/export-request';
import { EXPORT_STATUS_PATH } from '../fhir/operations/system-export';
import { notFound, outcome, unauthorized } from '../fhir/outcomes';

export interface BulkExportRoutesOptions {
  readonly basePath: string;
  readonly baseUrl: string;
  readonly exporter: BulkExporter;
  readonly blobs: BlobStore;
}

/**
 * The status URL of an export job (`GET`: 202 with X-Progress while it runs, 200 and the
 * manifest when done, 500 and an OperationOutcome when it failed; `DELETE`: cancel) and its
 * NDJSON files. Only the principal who kicked the job off sees any of it; to anyone else
 * the job does not exist (404).
 */
export function bulkExportRoutes(options: BulkExportRoutesOptions) {
  const prefix = `${options.basePath}/${EXPORT_STATUS_PATH}/`;
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!ctx.path.startsWith(prefix)) {
      return next();
    }
    const [jobId, fileName, extra] = ctx.path.slice(prefix.length).split('/');
    const principal = (ctx.state.principal as Principal | undefined) ?? { kind: 'anonymous' };
    if (principal.kind === 'anonymous') {
      throw unauthorized('Export status and files need the access token of the client that started the export');
    }
    const job = /^[0-9a-f-]{36}$/.test(jobId) && extra === undefined ? await options.exporter.read(jobId) : undefined;
    if (!job || job.owner !== principalLabel(principal) || job.status === 'cancelled') {
      throw notFound(`No export job at ${ctx.path}`);
    }
    if (fileName !== undefined) {
      if (ctx.method !== 'GET') {
        return next();
      }
      return sendFile(ctx, options.blobs, job, fileName);
    }
    if (ctx.method === 'DELETE') {
      await options.exporter.cancel(job);
      ctx.status = 202;
      return;
    }
    if (ctx.method === 'GET') {
      return sendStatus(ctx, options.baseUrl, job);
    }
    return next();
  };
}

function sendStatus(ctx: Context, baseUrl: string, job: ExportJob): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json';
  switch (job.status) {
    case 'in-progress':
      ctx.status = 202;
      ctx.set('X-Progress', job.progress || 'starting');
      ctx.set('Retry-After', '2');
      ctx.body = null;
      return;
    case 'failed':
      ctx.status = 500;
      ctx.type = 'application/fhir+json';
      ctx.body = JSON.stringify(outcome('error', 'exception', job.error ?? 'The export failed'));
      return;
    default:
      ctx.status = 200;
      ctx.body = JSON.stringify({
        transactionTime: job.transactionTime,
        request: (job.request as ExportRequest).requestUrl,
        requiresAccessToken: true,
        output: job.output.map((o) => ({
          type: o.type,
          url: `${baseUrl}/${EXPORT_STATUS_PATH}/${job.id}/${fileNameOf(o.key)}`,
          count: o.count,
        })),
        error: [],
      });
  }
}

async function sendFile(ctx: Context, blobs: BlobStore, job: ExportJob, fileName: string): Promise<void> {
  const output = job.status === 'completed' ? job.output.find((o) => fileNameOf(o.key) === fileName) : undefined;
  if (!output) {
    throw notFound(`Export ${job.id} has no file ${fileName}`);
  }
  const info = await blobs.stat(output.key);
  if (!info) {
    throw notFound(`The file ${fileName} of export ${job.id} is no longer available`);
  }
  ctx.status = 200;
  ctx.type = 'application/fhir+ndjson';
  ctx.length = info.size;
  ctx.body = await blobs.read(output.key);
}

function fileNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
