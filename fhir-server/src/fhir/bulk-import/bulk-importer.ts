import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { accessContextFor, type AccessContext } from '../../auth/access-context';
import { principalLabel, type Principal } from '../../auth/principal';
import type { BlobStore } from '../../domain/documents/blob-store';
import type { BulkJob, BulkJobStore } from '../../storage/bulk-jobs';
import { principalFromJson, principalToJson } from '../bulk-export/principal-record';
import { BulkJobRunner, JobInterrupted, JobTimedOut, type BulkJobTimings, type JobRun, type JobLog } from '../bulk-jobs/bulk-job-runner';
import type { FhirContext } from '../fhir-request';
import { badRequest, type OutcomeError, outcome } from '../outcomes';
import { dispatch } from '../router';
import { outcomeErrorOf } from '../storage-outcomes';
import { isValidId } from '../validation/resource-id';
import type { ImportInput, ImportRequest } from './import-request';
import { ndjsonLines, type NdjsonLine } from './ndjson-lines';
import type { BulkJobKind } from '../bulk-jobs/bulk-job-kind';
import { IMPORT_STATUS_PATH } from '../operations/system-import';

/** What one input of an import came to. */
export interface ImportOutput {
  readonly inputUrl: string;
  readonly type?: string;
  /** Resources written (created or updated). */
  readonly count: number;
  /** Lines refused, each an OperationOutcome line in the file at `errorKey`. */
  readonly errorCount: number;
  readonly errorKey?: string;
}

export type ImportJob = BulkJob<ImportOutput>;

/** A FhirContext for one imported line, as its owner; `done` records the line's AuditEvent when one is still due. */
export type ImportContexts = (
  principal: Principal,
  access: AccessContext,
  jobId: string,
) => { context: FhirContext; done(status: number): void };

/** Opens the bytes of an input: fetched from its URL, or the upload kept in the blob store. */
export type InputOpener = (input: ImportInput) => Promise<Readable>;

/** Lines of one job written at the same time (each its own transaction). */
const LINES_IN_FLIGHT = 4;

/** Imports one principal may have running at once; more get 429. */
export const MAX_ACTIVE_IMPORTS = 2;

export interface ImporterOptions {
  readonly contexts: ImportContexts;
  readonly open: InputOpener;
  /** Why the server will not fetch an input URL (scheme, host policy), or undefined. */
  readonly urlProblem: (url: string) => string | undefined;
  /** The longest line accepted (a resource's JSON), in bytes. */
  readonly maxLineBytes: number;
  readonly log: JobLog;
  readonly timings?: BulkJobTimings;
}

/**
 * Runs Bulk Data `$import` jobs: each input is streamed line by line, and each line is one
 * FHIR update (`PUT Type/id`) by the job's owner, through the same router, validation, write
 * rules, access checks and audit as a REST update, each in its own transaction: a line is
 * stored whole or not at all. A re-run writes the same resources again (idempotent). Refused
 * lines become OperationOutcome lines in an NDJSON error file per input. The job records each
 * finished input, so a job taken over after a restart goes on with the first unfinished one.
 */
export class BulkImporter implements BulkJobKind {
  readonly statusPath = IMPORT_STATUS_PATH;
  private readonly runner: BulkJobRunner<ImportOutput>;

  constructor(
    store: BulkJobStore<ImportOutput>,
    private readonly blobs: BlobStore,
    private readonly options: ImporterOptions,
  ) {
    this.runner = new BulkJobRunner(store, (job, run) => this.run(job, run), options.log, options.timings);
  }

  /** Records and starts a job (id given when its uploads are already stored); undefined beyond MAX_ACTIVE_IMPORTS. */
  kickOff(principal: Principal, request: ImportRequest, id: string = randomUUID()): Promise<ImportJob | undefined> {
    return this.runner.create({ id, owner: principalLabel(principal), principal: principalToJson(principal), request }, MAX_ACTIVE_IMPORTS);
  }

  urlProblem(url: string): string | undefined {
    return this.options.urlProblem(url);
  }

  read(id: string): Promise<ImportJob | undefined> {
    return this.runner.store.read(id);
  }

  /** Stops a job at its next line; what was imported stays, its error files and uploads go. */
  async cancel(job: ImportJob): Promise<void> {
    await this.runner.store.finish(job.id, 'cancelled', []);
    await this.runner.settled(job.id);
    await this.removeFiles(job);
    await this.runner.store.delete(job.id);
  }

  files(job: ImportJob): readonly string[] {
    return job.output.flatMap((o) => (o.errorKey ? [o.errorKey] : []));
  }

  /** The completion manifest: per input what was written, and the OperationOutcome file of its refused lines. */
  manifest(job: ImportJob, fileUrl: (key: string) => string): unknown {
    return {
      transactionTime: job.transactionTime,
      request: (job.request as ImportRequest).requestUrl,
      requiresAccessToken: false,
      output: job.output.map((o) => ({ type: o.type ?? 'Resource', inputUrl: o.inputUrl, count: o.count })),
      error: job.output.flatMap((o) =>
        o.errorKey ? [{ type: 'OperationOutcome', inputUrl: o.inputUrl, url: fileUrl(o.errorKey), count: o.errorCount }] : [],
      ),
    };
  }

  resume(): Promise<void> {
    return this.runner.startPolling();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  private async run(job: ImportJob, run: JobRun<ImportOutput>): Promise<void> {
    const request = job.request as ImportRequest;
    const principal = principalFromJson(job.principal);
    const access = accessContextFor(principal);
    const done = [...job.output];
    for (let index = done.length; index < request.inputs.length; index++) {
      done.push(await this.importInput(job, index, request.inputs[index], principal, access, run));
      await run.progress(`${index + 1} of ${request.inputs.length} inputs`, done);
    }
    if (await run.finish(done)) {
      await Promise.all(request.inputs.map((input) => (input.blobKey ? this.blobs.delete(input.blobKey) : undefined)));
    }
  }

  private async importInput(
    job: ImportJob,
    index: number,
    input: ImportInput,
    principal: Principal,
    access: AccessContext,
    run: JobRun<ImportOutput>,
  ): Promise<ImportOutput> {
    const errorKey = `import/${job.id}/errors-${index + 1}.ndjson`;
    const errors = new PassThrough();
    const stored = this.blobs.put(errorKey, errors, 'application/fhir+ndjson');
    let count = 0;
    let errorCount = 0;
    const report = async (line: number, refusal: OperationOutcome): Promise<void> => {
      errorCount++;
      const issue = (refusal.issue ?? []).map((i) => ({ ...i, diagnostics: `line ${line}: ${i.diagnostics ?? i.details?.text ?? ''}` }));
      const text = JSON.stringify({ resourceType: 'OperationOutcome', issue, extension: [lineExtension(input.url, line)] });
      if (!errors.write(`${text}\n`)) {
        await once(errors, 'drain');
      }
    };
    try {
      try {
        const source = await this.options.open(input);
        // Up to LINES_IN_FLIGHT lines are written at once; their outcomes are taken in line
        // order, and lines of the same resource one after the other, so the last one wins.
        const window: { line: number; outcome: Promise<OperationOutcome | undefined> }[] = [];
        const latest = new Map<string, Promise<unknown>>();
        const takeOldest = async (): Promise<void> => {
          const oldest = window.shift() as (typeof window)[number];
          const refusal = await oldest.outcome;
          if (refusal) {
            await report(oldest.line, refusal);
          } else {
            count++;
          }
        };
        for await (const line of ndjsonLines(source, this.options.maxLineBytes)) {
          await run.checkpoint();
          if (line.text.trim() === '' && !line.tooLong) {
            continue;
          }
          window.push({ line: line.number, outcome: this.startLine(job.id, input, line, principal, access, latest) });
          while (window.length >= LINES_IN_FLIGHT) {
            await takeOldest();
          }
        }
        while (window.length > 0) {
          await takeOldest();
        }
      } catch (error) {
        if (error instanceof JobInterrupted || error instanceof JobTimedOut) {
          throw error;
        }
        // An input that cannot be fetched (or breaks off) is reported; the other inputs go on.
        await report(0, outcome('error', 'not-found', `The input ${input.url} could not be read to its end: ${(error as Error).message}`));
      }
      errors.end();
      await stored;
    } catch (error) {
      errors.destroy(error as Error);
      await stored.catch(() => undefined);
      throw error;
    }
    if (errorCount === 0) {
      await this.blobs.delete(errorKey);
    }
    return { inputUrl: input.url, type: input.type, count, errorCount, errorKey: errorCount > 0 ? errorKey : undefined };
  }

  /** Parses a line and starts writing it after any earlier line of the same resource; its refusal, or undefined. */
  private startLine(
    jobId: string,
    input: ImportInput,
    line: NdjsonLine,
    principal: Principal,
    access: AccessContext,
    latest: Map<string, Promise<unknown>>,
  ): Promise<OperationOutcome | undefined> {
    if (line.tooLong) {
      return Promise.resolve(outcome('error', 'too-long', `The line is longer than ${this.options.maxLineBytes} bytes`));
    }
    let resource: Resource & { id: string };
    try {
      resource = parseLine(line.text, input.type);
    } catch (error) {
      return Promise.resolve((error as OutcomeError).outcome);
    }
    const key = `${resource.resourceType}/${resource.id}`;
    const written = (latest.get(key) ?? Promise.resolve()).then(() => this.importLine(jobId, resource, principal, access));
    latest.set(key, written);
    void written.finally(() => {
      if (latest.get(key) === written) {
        latest.delete(key);
      }
    });
    return written;
  }

  /** Writes one resource as an update by the owner; the refusal as an OperationOutcome, or undefined when stored. */
  private async importLine(
    jobId: string,
    resource: Resource & { id: string },
    principal: Principal,
    access: AccessContext,
  ): Promise<OperationOutcome | undefined> {
    let status = 200;
    const { context, done } = this.options.contexts(principal, access, jobId);
    try {
      await dispatch(context, {
        method: 'PUT',
        path: `${resource.resourceType}/${resource.id}`,
        query: new URLSearchParams(),
        body: resource,
        contentType: 'application/fhir+json',
        headers: {},
      });
      return undefined;
    } catch (caught) {
      const error = outcomeErrorOf(caught);
      if (error) {
        status = error.status;
        return error.outcome;
      }
      status = 500;
      this.options.log.error('Import line failed', { job: jobId, error: String((caught as Error)?.stack ?? caught) });
      return outcome('error', 'exception', 'The server could not store this resource');
    } finally {
      done(status);
    }
  }

  private async removeFiles(job: ImportJob): Promise<void> {
    const request = job.request as ImportRequest;
    const keys = [
      ...request.inputs.map((input) => input.blobKey),
      ...request.inputs.map((_input, index) => `import/${job.id}/errors-${index + 1}.ndjson`),
    ];
    await Promise.all(keys.map((key) => (key ? this.blobs.delete(key).catch(() => undefined) : undefined)));
  }
}

/** The JSON of a line, checked to be a resource of the input's type with an id (imports are updates). */
function parseLine(text: string, type: string | undefined): Resource & { id: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('The line is not JSON');
  }
  const resource = value as Partial<Resource> | null;
  if (!resource || typeof resource !== 'object' || Array.isArray(resource) || typeof resource.resourceType !== 'string') {
    throw badRequest('The line is not a FHIR resource (no resourceType)');
  }
  if (type !== undefined && resource.resourceType !== type) {
    throw badRequest(`The line is a ${resource.resourceType}, but this input is of type ${type}`);
  }
  if (typeof resource.id !== 'string' || !isValidId(resource.id)) {
    throw badRequest(
      'Every imported resource needs a valid id: an import writes each resource by its id, so a re-run writes the same ones',
    );
  }
  return resource as Resource & { id: string };
}

/** Where a refused line was: the input URL and the line number (0: the input as a whole). */
function lineExtension(url: string, line: number) {
  return {
    url: 'https://medbuddy.dev/fhir/StructureDefinition/import-line',
    extension: [
      { url: 'input', valueUri: url },
      { url: 'line', valueInteger: line },
    ],
  };
}
