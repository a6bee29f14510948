import type { FhirRepository } from '../../storage/fhir-repository';
import type { Job, NotificationStore } from '../../storage/notification-store';
import type { ResourceChange } from '../../storage/resource-changes';
import { systemClock, type Clock } from './clock';
import { PermanentFailure, type ChangePlanner, type JobSender } from './notification-job';
import { retryAt } from './retry-backoff';

/** Changes planned per transaction. */
const CHANGES_PER_BATCH = 100;
/** Planning stops claiming new batches after this long, so one tick stays short under a burst of writes. */
const MAX_PLANNING_MS = 4000;
const JOBS_PER_CLAIM = 20;
/** Longer than a claim's worst case (20 jobs x the hook timeout): a lease is only lost by a dead worker. */
const LEASE_MS = 5 * 60_000;

export interface NotificationWorkerOptions {
  readonly store: NotificationStore;
  readonly planners: readonly ChangePlanner[];
  readonly senders: readonly JobSender[];
  readonly clock?: Clock;
  readonly onError: (message: string, details: Record<string, unknown>) => void;
}

/**
 * One pass of the notification outboxes, run by node-cron in every server process: plan the
 * waiting resource changes, skip expired jobs, then send the due ones. Every step claims its
 * rows with SKIP LOCKED, so processes running it at the same moment never share a row.
 */
export class NotificationWorker {
  private readonly clock: Clock;
  private readonly senders: ReadonlyMap<string, JobSender>;
  private running: Promise<void> | undefined;

  constructor(private readonly options: NotificationWorkerOptions) {
    this.clock = options.clock ?? systemClock;
    this.senders = new Map(options.senders.map((s) => [s.kind, s]));
  }

  /** Runs one pass; a call while a pass runs in this process waits for it and runs another. */
  async tick(): Promise<void> {
    while (this.running) {
      await this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private async pass(): Promise<void> {
    const { store } = this.options;
    // Wall-clock time: tests move this.clock by hand.
    const deadline = Date.now() + MAX_PLANNING_MS;
    for (;;) {
      let claimed: number;
      try {
        claimed = await store.processChanges(CHANGES_PER_BATCH, (change, tx, repo) => this.plan(change, tx, repo));
      } catch {
        // A planner failed (or two processes' batches deadlocked): the batch was rolled back,
        // so plan those changes again one transaction each, where a failure affects only its own change.
        claimed = await this.planOneByOne(CHANGES_PER_BATCH);
      }
      if (claimed < CHANGES_PER_BATCH || Date.now() > deadline) {
        break;
      }
    }
    await store.skipExpired(this.clock());
    for (;;) {
      const jobs = await store.claimDue(this.clock(), JOBS_PER_CLAIM, LEASE_MS);
      for (const job of jobs) {
        await this.deliver(job);
      }
      if (jobs.length < JOBS_PER_CLAIM) {
        return;
      }
    }
  }

  private async plan(change: ResourceChange, tx: NotificationStore, repo: FhirRepository): Promise<void> {
    for (const planner of this.options.planners) {
      await planner.plan(change, tx, this.clock(), repo);
    }
  }

  /** Plans up to `limit` changes, one transaction each; a planner that fails is undone, reported and skipped. */
  private async planOneByOne(limit: number): Promise<number> {
    let planned = 0;
    while (
      planned < limit &&
      (await this.options.store.processNextChange(async (change, tx, repo) => {
        for (const planner of this.options.planners) {
          try {
            await tx.savepoint(() => planner.plan(change, tx, this.clock(), repo));
          } catch (error) {
            // A change that cannot be planned (bad data) must not block the queue behind it.
            this.options.onError('Planning notifications failed', {
              change: `${change.resourceType}/${change.resourceId}/_history/${change.versionId}`,
              error: String((error as Error)?.stack ?? error),
            });
          }
        }
      }))
    ) {
      planned++;
    }
    return planned;
  }

  private async deliver(job: Job): Promise<void> {
    const { store, onError } = this.options;
    const sender = this.senders.get(job.kind);
    try {
      if (!sender) {
        throw new PermanentFailure(`no sender for notifications of kind ${job.kind}`);
      }
      const result = await sender.send(job, this.clock());
      await store.finish(job, result.status, result.status === 'skipped' ? result.reason : undefined);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const now = this.clock();
      if (error instanceof PermanentFailure || job.attempts >= job.maxAttempts) {
        onError('Notification failed for good', { job: job.id, kind: job.kind, attempts: job.attempts, error: message });
        if (await store.deadLetter(job, message)) {
          await sender
            ?.onDead?.(job, message, now)
            .catch((e: unknown) => onError('Recording a failed notification failed', { job: job.id, error: String(e) }));
        }
      } else {
        await store.retryLater(job, message, retryAt(now, job.attempts));
      }
    }
  }
}
