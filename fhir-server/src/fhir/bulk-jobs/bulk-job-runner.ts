import { randomUUID } from 'node:crypto';
import type { BulkJob, BulkJobStore, JobLease } from '../../storage/bulk-jobs';

export interface JobLog {
  error(message: string, details: Record<string, unknown>): void;
}

export interface BulkJobTimings {
  /** How long a claim lasts without renewal; a dead process's job is claimed again after it. */
  readonly leaseMs: number;
  /** How often a process looks for jobs to claim. */
  readonly pollMs: number;
}

export const DEFAULT_BULK_JOB_TIMINGS: BulkJobTimings = { leaseMs: 30_000, pollMs: 5_000 };

/** Jobs of one kind one process runs at once; more wait in the table for a free process. */
const MAX_RUNNING = 2;
/** A job still running after this long fails with a timeout instead of hanging forever. */
const JOB_TIMEOUT_MS = 60 * 60 * 1000;
/** Checkpoints renew the lease at most this often (a cancel is noticed within it). */
const RENEW_EVERY_MS = 500;

/** Thrown by a checkpoint when the job must stop now: this process stops, or the job was cancelled or taken over. */
export class JobInterrupted extends Error {}

/** Thrown by a checkpoint when the job ran longer than JOB_TIMEOUT_MS. */
export class JobTimedOut extends Error {}

/** One run of a job in this process, under its own lease (a run taken over cannot act for its successor). */
export interface JobRun<Output> {
  /** Call between steps: renews the lease, and throws when the job must stop (this process stops, cancelled, taken over). */
  checkpoint(): Promise<void>;
  /** Records how far the job got (and what it wrote so far), unless it is no longer this run's. */
  progress(progress: string, output?: readonly Output[]): Promise<void>;
  /** Ends the job as completed; false when it is no longer this run's (cancelled, or taken over). */
  finish(output: readonly Output[]): Promise<boolean>;
}

/** The work of one kind of job; it ends the job itself (`run.finish`) unless it throws. */
export type JobWork<Output> = (job: BulkJob<Output>, run: JobRun<Output>) => Promise<void>;

/**
 * Runs the bulk jobs of one kind in this process, each in exactly one process of those
 * sharing the database: the process that creates a job holds its lease and renews it while it
 * works; every process polls for jobs whose lease ran out (a process that stopped releases
 * its leases at once; one that died lets them expire) and claims them with SKIP LOCKED. Each
 * claim is a lease of its own.
 */
export class BulkJobRunner<Output> {
  /** Runs in this process by lease owner. */
  private readonly running = new Map<string, { readonly jobId: string; readonly done: Promise<void> }>();
  private readonly worker = `${process.pid}:${randomUUID()}`;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;

  constructor(
    readonly store: BulkJobStore<Output>,
    private readonly work: JobWork<Output>,
    private readonly log: JobLog,
    private readonly timings: BulkJobTimings = DEFAULT_BULK_JOB_TIMINGS,
  ) {}

  /** Records a job leased to this process and starts it; undefined when the owner has `maxActive` in progress. */
  async create(job: Pick<BulkJob, 'id' | 'owner' | 'principal' | 'request'>, maxActive: number): Promise<BulkJob<Output> | undefined> {
    const lease = this.newLease();
    const created = await this.store.create(job, maxActive, lease);
    if (created) {
      this.start(created, lease);
    }
    return created;
  }

  /** Claims waiting jobs now, then every `pollMs`. */
  async startPolling(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, this.timings.pollMs);
    this.timer.unref();
  }

  /** Waits until the runs of a job in this process have stopped (after a cancel). */
  async settled(id: string): Promise<void> {
    const runs = [...this.running.values()].filter((run) => run.jobId === id);
    await Promise.allSettled(runs.map((run) => run.done));
  }

  /** Lets running jobs stop at their next checkpoint and hands them back (released leases). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling;
    await Promise.allSettled([...this.running.values()].map((run) => run.done));
  }

  private newLease(): JobLease {
    return { owner: `${this.worker}:${randomUUID()}`, ms: this.timings.leaseMs };
  }

  private async poll(): Promise<void> {
    try {
      while (!this.stopped && this.running.size < MAX_RUNNING) {
        const lease = this.newLease();
        const job = await this.store.claimNext(lease);
        if (!job) {
          return;
        }
        this.start(job, lease);
      }
    } catch (error) {
      this.log.error('Claiming bulk jobs failed', { kind: this.store.kind, error: String((error as Error)?.stack ?? error) });
    }
  }

  private start(job: BulkJob<Output>, lease: JobLease): void {
    const started = Date.now();
    let renewed = Date.now();
    const run: JobRun<Output> = {
      checkpoint: async () => {
        if (this.stopped) {
          throw new JobInterrupted();
        }
        if (Date.now() - started > JOB_TIMEOUT_MS) {
          throw new JobTimedOut(`The job did not finish within ${JOB_TIMEOUT_MS / 60000} minutes`);
        }
        if (Date.now() - renewed >= RENEW_EVERY_MS) {
          if (!(await this.store.renew(job.id, lease))) {
            throw new JobInterrupted();
          }
          renewed = Date.now();
        }
      },
      progress: (progress, output) => this.store.setProgress(job.id, progress, output, lease),
      finish: (output) => this.store.finish(job.id, 'completed', output, undefined, lease),
    };
    // Slow steps between checkpoints (a remote file that trickles in) must not lose the lease.
    const heartbeat = setInterval(
      () => {
        this.store.renew(job.id, lease).catch(() => undefined);
      },
      Math.max(100, this.timings.leaseMs / 3),
    );
    heartbeat.unref();
    const done = this.work(job, run)
      .catch(async (error: unknown) => {
        if (error instanceof JobInterrupted) {
          await this.store.release(job.id, lease);
          return;
        }
        this.log.error('Bulk job failed', { kind: this.store.kind, job: job.id, error: String((error as Error)?.stack ?? error) });
        const message = error instanceof JobTimedOut ? error.message : `The ${job.kind} failed on the server`;
        await this.store.finish(job.id, 'failed', [], message, lease);
      })
      .catch((error: unknown) => this.log.error('Bulk job bookkeeping failed', { job: job.id, error: String(error) }))
      .finally(() => {
        clearInterval(heartbeat);
        this.running.delete(lease.owner);
      });
    this.running.set(lease.owner, { jobId: job.id, done });
  }
}
