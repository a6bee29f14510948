import { randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Context, Next } from 'koa';
import { accessContextFor } from '../auth/access-context';
import type { Principal } from '../auth/principal';
import { isResourceType } from '../definitions';
import type { BlobStore } from '../domain/documents/blob-store';
import type { BulkImporter } from '../fhir/bulk-import/bulk-importer';
import { checkWritable } from '../fhir/bulk-import/import-request';
import { IMPORT_STATUS_PATH } from '../fhir/operations/system-import';
import { badRequest, informational, payloadTooLarge, tooManyRequests, unauthorized } from '../fhir/outcomes';

const NDJSON_TYPES = new Set(['application/fhir+ndjson', 'application/ndjson', 'application/x-ndjson']);

export interface BulkImportUploadOptions {
  readonly basePath: string;
  readonly baseUrl: string;
  readonly importer: BulkImporter;
  readonly blobs: BlobStore;
  /** The largest upload accepted (DOCUMENT_MAX_BYTES). */
  readonly maxBytes: number;
}

/**
 * `POST [base]/$import` with an NDJSON body (`?type=Observation` to require one type): the
 * body is streamed into the blob store, then imported as a job like a URL input; 202 and the
 * status URL. For clients that cannot publish their files at a URL the server may fetch.
 */
export function bulkImportUpload(options: BulkImportUploadOptions) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.method !== 'POST' || ctx.path !== `${options.basePath}/$import` || !NDJSON_TYPES.has(ctx.request.type)) {
      return next();
    }
    const principal = (ctx.state.principal as Principal | undefined) ?? { kind: 'anonymous' };
    if (principal.kind === 'anonymous') {
      throw unauthorized('$import needs an access token');
    }
    const type = typeof ctx.query.type === 'string' ? ctx.query.type : undefined;
    if (type !== undefined && !isResourceType(type)) {
      throw badRequest(`type "${type}" is not a resource type`);
    }
    checkWritable(accessContextFor(principal), [{ type, url: '' }]);
    const id = randomUUID();
    const blobKey = `import/${id}/upload-1.ndjson`;
    await options.blobs.put(blobKey, ctx.req.pipe(limitTo(options.maxBytes)), 'application/fhir+ndjson').catch((error: unknown) => {
      throw error instanceof TooLarge ? payloadTooLarge(`The upload exceeds the limit of ${options.maxBytes} bytes`) : error;
    });
    const job = await options.importer.kickOff(
      principal,
      {
        inputs: [{ type, url: 'upload', blobKey }],
        requestUrl: `${options.baseUrl}/$import${ctx.querystring ? `?${ctx.querystring}` : ''}`,
      },
      id,
    );
    if (!job) {
      await options.blobs.delete(blobKey);
      throw tooManyRequests('Too many imports in progress for this client; wait for one to finish or cancel it');
    }
    ctx.status = 202;
    ctx.set('Content-Location', `${options.baseUrl}/${IMPORT_STATUS_PATH}/${job.id}`);
    ctx.type = 'application/fhir+json';
    ctx.body = JSON.stringify(informational(`Import ${job.id} started`));
  };
}

class TooLarge extends Error {}

function limitTo(maxBytes: number): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      callback(size > maxBytes ? new TooLarge() : null, chunk);
    },
  });
}
