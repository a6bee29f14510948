import type { Context, Next } from 'koa';
import { principalLabel, type Principal } from '../auth/principal';
import type { BlobStore } from '../domain/documents/blob-store';
import { UrlSigner } from '../domain/documents/signed-urls';
import { forbidden, notFound, outcome, unauthorized } from '../fhir/outcomes';
import type { BulkJobKind } from '../fhir/bulk-jobs/bulk-job-kind';
import type { BulkJob } from '../storage/bulk-jobs';

export interface BulkJobRoutesOptions {
  readonly basePath: string;
  readonly baseUrl: string;
  readonly kinds: readonly BulkJobKind[];
  readonly blobs: BlobStore;
  /** HMAC key of the files' signed URLs. */
  readonly signingKey: Buffer | string;
  /** Lifetime of a file URL, from when the manifest is read. */
  readonly signedUrlSeconds: number;
}

/**
 * The status URL of a bulk job (`GET`: 202 with X-Progress while it runs, 200 and the manifest
 * when done, 500 and an OperationOutcome when it failed; `DELETE`: cancel) and its NDJSON
 * files. Only the principal who kicked the job off sees its status; to anyone else the job
 * does not exist (404). The manifest's file URLs are signed and expire
 * (`requiresAccessToken: false`, as Bulk Data allows), so a client downloads them without its
 * token, e.g. with a plain HTTP tool; the owner's token works too.
 */
export function bulkJobRoutes(options: BulkJobRoutesOptions) {
  const signer = new UrlSigner(options.signingKey);
  return async (ctx: Context, next: Next): Promise<void> => {
    const kind = options.kinds.find((k) => ctx.path.startsWith(`${options.basePath}/${k.statusPath}/`));
    if (!kind) {
      return next();
    }
    const prefix = `${options.basePath}/${kind.statusPath}/`;
    const [jobId, fileName, extra] = ctx.path.slice(prefix.length).split('/');
    const job = /^[0-9a-f-]{36}$/.test(jobId) && extra === undefined ? await kind.read(jobId) : undefined;
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : undefined;
    if (fileName !== undefined && token !== undefined && ctx.method === 'GET') {
      const check = signer.verify(token);
      if (!check.ok) {
        throw forbidden(
          check.reason === 'expired' ? 'This file link has expired; read the status URL again for new ones' : 'This file link is not valid',
        );
      }
      const key = job && fileKey(kind, job, fileName);
      if (!job || job.status !== 'completed' || key !== check.grant.binaryId) {
        throw notFound(`No file at ${ctx.path}`);
      }
      return sendFile(ctx, options.blobs, key);
    }
    const principal = (ctx.state.principal as Principal | undefined) ?? { kind: 'anonymous' };
    if (principal.kind === 'anonymous') {
      throw unauthorized('The status of a bulk job needs the access token of the client that started it');
    }
    if (!job || job.owner !== principalLabel(principal) || job.status === 'cancelled') {
      throw notFound(`No job at ${ctx.path}`);
    }
    if (fileName !== undefined) {
      if (ctx.method !== 'GET') {
        return next();
      }
      const key = job.status === 'completed' ? fileKey(kind, job, fileName) : undefined;
      if (!key) {
        throw notFound(`Job ${job.id} has no file ${fileName}`);
      }
      return sendFile(ctx, options.blobs, key);
    }
    if (ctx.method === 'DELETE') {
      await kind.cancel(job);
      ctx.status = 202;
      return;
    }
    if (ctx.method === 'GET') {
      const expires = Math.floor(Date.now() / 1000) + options.signedUrlSeconds;
      const fileUrl = (key: string) =>
        `${options.baseUrl}/${kind.statusPath}/${job.id}/${fileNameOf(key)}?token=${signer.sign({ binaryId: key, expires, issuedTo: job.owner })}`;
      return sendStatus(ctx, kind, job, fileUrl);
    }
    return next();
  };
}

function fileKey(kind: BulkJobKind, job: BulkJob, fileName: string): string | undefined {
  return kind.files(job).find((key) => fileNameOf(key) === fileName);
}

function sendStatus(ctx: Context, kind: BulkJobKind, job: BulkJob, fileUrl: (key: string) => string): void {
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
      ctx.body = JSON.stringify(outcome('error', 'exception', job.error ?? 'The job failed'));
      return;
    default:
      ctx.status = 200;
      ctx.body = JSON.stringify(kind.manifest(job, fileUrl));
  }
}

async function sendFile(ctx: Context, blobs: BlobStore, key: string): Promise<void> {
  const info = await blobs.stat(key);
  if (!info) {
    throw notFound(`The file ${fileNameOf(key)} is no longer available`);
  }
  ctx.status = 200;
  ctx.type = 'application/fhir+ndjson';
  ctx.length = info.size;
  ctx.body = await blobs.read(key);
}

function fileNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
