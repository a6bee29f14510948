import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import type { Group } from '@medplum/fhirtypes';
import { accessContextFor } from '../../auth/access-context';
import { principalLabel, type Principal } from '../../auth/principal';
import type { BlobStore } from '../../domain/documents/blob-store';
import type { ExportJob, ExportJobStore, ExportOutput } from '../../storage/export-jobs';
import type { FhirRepository } from '../../storage/fhir-repository';
import { parseStored } from '../interactions/stored-resource';
import { parseSearchRequest } from '../search/parse';
import type { ExportRequest } from './export-request';
import { principalFromJson, principalToJson } from './principal-record';

/** Jobs one principal may have running at once; more get 429. */
export const MAX_ACTIVE_EXPORTS = 2;
/** A job still running after this long fails with a timeout instead of hanging forever. */
const JOB_TIMEOUT_MS = 60 * 60 * 1000;
const PAGE_SIZE = 1000;

export interface ExportLog {
  error(message: string, details: Record<string, unknown>): void;
}

/**
 * Runs Bulk Data $export jobs in the background of this process: each type is read page by
 * page (keyset, PAGE_SIZE resources at a time) with the owner's access, and streamed as
 * NDJSON into the blob store, so memory stays bounded whatever the size. Jobs are rows in
 * export_job: after a restart, those in progress start again from the beginning.
 */
export class BulkExporter {
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly repo: FhirRepository,
    private readonly jobs: ExportJobStore,
    private readonly blobs: BlobStore,
    private readonly baseUrl: string,
    private readonly log: ExportLog,
  ) {}

  /** Records and starts a job; undefined when the owner already has MAX_ACTIVE_EXPORTS running. */
  async kickOff(principal: Principal, request: ExportRequest): Promise<ExportJob | undefined> {
    const job = await this.jobs.create(
      { id: randomUUID(), owner: principalLabel(principal), principal: principalToJson(principal), request },
      MAX_ACTIVE_EXPORTS,
    );
    if (job) {
      this.start(job);
    }
    return job;
  }

  read(id: string): Promise<ExportJob | undefined> {
    return this.jobs.read(id);
  }

  /** Cancels a job (it stops at its next page) and removes its files and its record. */
  async cancel(job: ExportJob): Promise<void> {
    await this.jobs.finish(job.id, 'cancelled', []);
    await this.running.get(job.id)?.catch(() => undefined);
    for (const output of job.output) {
      await this.blobs.delete(output.key);
    }
    await this.jobs.delete(job.id);
  }

  /** Starts again the jobs left in progress by a previous run of the server. */
  async resume(): Promise<void> {
    for (const job of await this.jobs.inProgress()) {
      if (!this.running.has(job.id)) {
        await this.jobs.restart(job.id);
        this.start((await this.jobs.read(job.id)) as ExportJob);
      }
    }
  }

  /** Lets running jobs stop at their next page (they stay in progress and resume on the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running.values()]);
  }

  private start(job: ExportJob): void {
    const run = this.run(job)
      .catch(async (error: unknown) => {
        if (error instanceof Interrupted) {
          return;
        }
        this.log.error('Export job failed', { job: job.id, error: String((error as Error)?.stack ?? error) });
        await this.jobs.finish(job.id, 'failed', [], error instanceof JobTimeout ? error.message : 'The export failed on the server');
      })
      .finally(() => this.running.delete(job.id));
    this.running.set(job.id, run);
  }

  private async run(job: ExportJob): Promise<void> {
    const request = job.request as ExportRequest;
    const repo = this.repo.withAccess(accessContextFor(principalFromJson(job.principal)));
    await repo.syncSearchParameters();
    const started = Date.now();
    const compartments = request.level === 'group' ? await groupMembers(repo, request.groupId as string) : [undefined];
    const output: ExportOutput[] = [];
    for (const [index, type] of request.types.entries()) {
      const key = `export/${job.id}/${type.toLowerCase()}.ndjson`;
      const count = await this.exportType(job, repo, request, type, key, compartments, started);
      if (count > 0) {
        output.push({ type, key, count });
      } else {
        await this.blobs.delete(key);
      }
      await this.jobs.setProgress(job.id, `${index + 1} of ${request.types.length} types`);
    }
    if (!(await this.jobs.finish(job.id, 'completed', output))) {
      // Cancelled meanwhile: what was written goes too.
      await Promise.all(output.map((o) => this.blobs.delete(o.key)));
    }
  }

  /** Streams the resources of one type to one NDJSON file; returns how many. */
  private async exportType(
    job: ExportJob,
    repo: FhirRepository,
    request: ExportRequest,
    type: string,
    key: string,
    compartments: readonly (string | undefined)[],
    started: number,
  ): Promise<number> {
    const file = new PassThrough();
    const stored = this.blobs.put(key, file, 'application/fhir+ndjson');
    const queries = request.typeFilters[type] ?? [''];
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
            await this.checkpoint(job, started);
            const page = await repo.search({ ...query, count: PAGE_SIZE, total: 'none', cursor, compartment });
            for (const entry of page.entries) {
              if (seen?.has(entry.id)) {
                continue;
              }
              seen?.add(entry.id);
              count++;
              if (!file.write(`${entry.content}\n`)) {
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

  private async checkpoint(job: ExportJob, started: number): Promise<void> {
    if (this.stopped) {
      throw new Interrupted();
    }
    if (Date.now() - started > JOB_TIMEOUT_MS) {
      throw new JobTimeout(`The export did not finish within ${JOB_TIMEOUT_MS / 60000} minutes`);
    }
    const current = await this.jobs.read(job.id);
    if (current?.status !== 'in-progress') {
      throw new Interrupted();
    }
  }
}

class Interrupted extends Error {}
class JobTimeout extends Error {}

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
