import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import type { Group } from '@medplum/fhirtypes';
import { accessContextFor } from '../../auth/access-context';
import { principalLabel, type Principal } from '../../auth/principal';
import type { BlobStore } from '../../domain/documents/blob-store';
import type { BulkJob, BulkJobStore } from '../../storage/bulk-jobs';
import { BulkJobRunner, type BulkJobTimings, type JobLog, type JobRun } from '../bulk-jobs/bulk-job-runner';
import type { FhirRepository, StoredVersion } from '../../storage/fhir-repository';
import { parseStored } from '../interactions/stored-resource';
import { applyView } from '../resource-view';
import { parseSearchRequest } from '../search/parse';
import type { ExportRequest } from './export-request';
import type { BulkJobKind } from '../bulk-jobs/bulk-job-kind';
import { EXPORT_STATUS_PATH } from '../operations/system-export';
import { principalFromJson, principalToJson } from './principal-record';

/** One NDJSON file of an export. */
export interface ExportOutput {
  readonly type: string;
  /** Blob key of the file. */
  readonly key: string;
  readonly count: number;
}

export type ExportJob = BulkJob<ExportOutput>;

/** Jobs one principal may have running at once; more get 429. */
export const MAX_ACTIVE_EXPORTS = 2;
const PAGE_SIZE = 1000;

/**
 * Runs Bulk Data $export jobs in the background: each type is read page by page (keyset,
 * PAGE_SIZE resources at a time) with the owner's access, and streamed as NDJSON into the
 * blob store, so memory stays bounded whatever the size. Jobs are rows in bulk_job, run by
 * exactly one process (BulkJobRunner); a job taken over after a restart starts again from the
 * beginning.
 */
export class BulkExporter implements BulkJobKind {
  readonly statusPath = EXPORT_STATUS_PATH;
  private readonly runner: BulkJobRunner<ExportOutput>;

  constructor(
    private readonly repo: FhirRepository,
    store: BulkJobStore<ExportOutput>,
    private readonly blobs: BlobStore,
    private readonly baseUrl: string,
    log: JobLog,
    timings?: BulkJobTimings,
  ) {
    this.runner = new BulkJobRunner(store, (job, run) => this.run(job, run), log, timings);
  }

  /** Records and starts a job; undefined when the owner already has MAX_ACTIVE_EXPORTS running. */
  kickOff(principal: Principal, request: ExportRequest): Promise<ExportJob | undefined> {
    return this.runner.create(
      { id: randomUUID(), owner: principalLabel(principal), principal: principalToJson(principal), request },
      MAX_ACTIVE_EXPORTS,
    );
  }

  read(id: string): Promise<ExportJob | undefined> {
    return this.runner.store.read(id);
  }

  /** Cancels a job (it stops at its next page, in whichever process runs it) and removes its files and its record. */
  async cancel(job: ExportJob): Promise<void> {
    await this.runner.store.finish(job.id, 'cancelled', []);
    await this.runner.settled(job.id);
    for (const output of job.output) {
      await this.blobs.delete(output.key);
    }
    await this.runner.store.delete(job.id);
  }

  files(job: ExportJob): readonly string[] {
    return job.output.map((o) => o.key);
  }

  /** The completion manifest (https://hl7.org/fhir/uv/bulkdata/export.html#response---complete-status). */
  manifest(job: ExportJob, fileUrl: (key: string) => string): unknown {
    return {
      transactionTime: job.transactionTime,
      request: (job.request as ExportRequest).requestUrl,
      requiresAccessToken: false,
      output: job.output.map((o) => ({ type: o.type, url: fileUrl(o.key), count: o.count })),
      error: [],
    };
  }

  /** Claims the jobs no process runs (left by a stopped or dead one), now and from then on. */
  resume(): Promise<void> {
    return this.runner.startPolling();
  }

  /** Lets running jobs stop at their next page; another process (or the next start) takes them over. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  private async run(job: ExportJob, run: JobRun<ExportOutput>): Promise<void> {
    if (job.attempts > 1) {
      await this.runner.store.restart(job.id);
    }
    const request = job.request as ExportRequest;
    const repo = this.repo.withAccess(accessContextFor(principalFromJson(job.principal)));
    await repo.syncSearchParameters();
    const compartments = await compartmentsOf(repo, request);
    const output: ExportOutput[] = [];
    try {
      for (const [index, type] of request.types.entries()) {
        // Each attempt writes its own files: one taken over cannot touch its successor's.
        const key = `export/${job.id}/${job.attempts}/${type.toLowerCase()}.ndjson`;
        const count = await this.exportType(run, repo, request, type, key, compartments);
        if (count > 0) {
          output.push({ type, key, count });
        } else {
          await this.blobs.delete(key);
        }
        await run.progress(`${index + 1} of ${request.types.length} types`);
      }
    } catch (error) {
      // Files of a job that ends here are of no use to anyone: a restart writes them again.
      await Promise.all(output.map((o) => this.blobs.delete(o.key).catch(() => undefined)));
      throw error;
    }
    if (!(await run.finish(output))) {
      // Cancelled (or taken over) meanwhile: what this attempt wrote goes.
      await Promise.all(output.map((o) => this.blobs.delete(o.key)));
    }
  }

  /** Streams the resources of one type to one NDJSON file; returns how many. */
  private async exportType(
    run: JobRun<ExportOutput>,
    repo: FhirRepository,
    request: ExportRequest,
    type: string,
    key: string,
    compartments: readonly (string | undefined)[],
  ): Promise<number> {
    const file = new PassThrough();
    const stored = this.blobs.put(key, file, 'application/fhir+ndjson');
    const queries = request.typeFilters[type] ?? [''];
    const elements = request.elements?.[type];
    // Several filters or group members may find a resource twice: it is written once.
    const seen = queries.length > 1 || compartments.length > 1 ? new Set<string>() : undefined;
    let count = 0;
    try {
      for (const compartment of compartments) {
        for (const text of queries) {
          const params = new URLSearchParams(text);
          if (request.since) {
            params.append('_lastUpdated', `gt${request.since}`);
          }
          const { query } = parseSearchRequest([type], params, { strict: true, catalog: repo.searchParameters, baseUrl: this.baseUrl });
          let cursor: string | undefined;
          do {
            await run.checkpoint();
            const page = await repo.search({ ...query, count: PAGE_SIZE, total: 'none', cursor, compartment });
            for (const entry of page.entries) {
              if (seen?.has(entry.id)) {
                continue;
              }
              seen?.add(entry.id);
              count++;
              if (!file.write(`${lineOf(entry, elements)}\n`)) {
                await once(file, 'drain');
              }
            }
            cursor = page.nextCursor;
          } while (cursor);
        }
      }
      file.end();
      await stored;
      return count;
    } catch (error) {
      file.destroy(error as Error);
      await stored.catch(() => undefined);
      throw error;
    }
  }
}

/** A resource's NDJSON line: its stored text, or the `_elements` subset of it, tagged SUBSETTED. */
function lineOf(entry: StoredVersion, elements: readonly string[] | undefined): string {
  return elements ? JSON.stringify(applyView(parseStored(entry), { elements })) : entry.content;
}

/**
 * The Patient compartments an export covers: each member of its Group, each of its `patient`
 * list (at group level, the members listed), or at patient level without a list every
 * compartment the owner may see (`undefined`: no compartment filter).
 */
async function compartmentsOf(repo: FhirRepository, request: ExportRequest): Promise<(string | undefined)[]> {
  const listed = request.patients;
  if (request.level === 'group') {
    const members = await groupMembers(repo, request.groupId as string);
    return listed ? members.filter((member) => listed.includes(member)) : members;
  }
  return listed ? [...listed] : [undefined];
}

/** `Patient/<id>` of the Group's members the owner may see. */
async function groupMembers(repo: FhirRepository, groupId: string): Promise<string[]> {
  const stored = await repo.readCurrent('Group', groupId);
  if (!stored || stored.deleted) {
    return [];
  }
  const group = parseStored(stored) as Group;
  return (group.member ?? [])
    .map((m) => /(?:^|\/)(Patient\/[A-Za-z0-9\-.]{1,64})$/.exec(m.entity?.reference ?? '')?.[1])
    .filter((m): m is string => m !== undefined);
}
