import type { ResourceChange } from '../../storage/resource-changes';
import type { Job, NotificationStore } from '../../storage/notification-store';

/** Turns a committed resource change into jobs, inside the transaction that consumes the change. */
export interface ChangePlanner {
  plan(change: ResourceChange, tx: NotificationStore, now: Date): Promise<void>;
}

/** What became of one attempt that did not throw. */
export type SendResult = { readonly status: 'sent' } | { readonly status: 'skipped'; readonly reason: string };

/** Sends the jobs of one kind. A thrown error is a failed attempt, retried with backoff. */
export interface JobSender {
  readonly kind: string;
  send(job: Job, now: Date): Promise<SendResult>;
  /** Told when the last attempt failed, to record it where people see it. */
  onDead?(job: Job, error: string, now: Date): Promise<void>;
}

/** An attempt that no retry can fix (an endpoint that is not allowed): dead at once. */
export class PermanentFailure extends Error {}
