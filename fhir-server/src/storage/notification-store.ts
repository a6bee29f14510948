import type { FhirRepository } from './fhir-repository';
import type { PgRepository } from './pg-repository';
import type { ResourceChange, ChangeAuthor } from './resource-changes';
import type { SqlExecutor } from './sql-executor';

/** A notification to send (an e-mail, a Subscription delivery) as planned. */
export interface NewJob {
  readonly kind: string;
  /** Planning the same key twice keeps one job (a cancelled one is planned again). */
  readonly dedupeKey: string;
  /** What the job is about (`Appointment/1`), to cancel its pending jobs at once. */
  readonly groupKey: string;
  readonly payload: Record<string, unknown>;
  readonly dueAt: Date;
  /** After this instant the job is no longer useful and is skipped, not sent. */
  readonly expiresAt?: Date;
  readonly maxAttempts: number;
}

export type JobStatus = 'pending' | 'sent' | 'skipped' | 'cancelled' | 'dead';

export interface Job extends NewJob {
  readonly id: string;
  readonly status: JobStatus;
  /** Attempts so far, this one included once claimed. */
  readonly attempts: number;
  readonly lastError?: string;
  /** The lease this worker holds on the job (compared when finishing it). */
  readonly lockedUntil?: Date;
}

interface JobRow {
  id: string;
  kind: string;
  dedupe_key: string;
  group_key: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  due_at: Date;
  expires_at: Date | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_until: Date | null;
}

interface ChangeRow {
  id: string;
  resource_type: string;
  resource_id: string;
  version_id: number;
  author: ChangeAuthor | null;
}

/**
 * The notification outboxes in SQL (see the create-notification-tables migration). Every claim
 * uses FOR UPDATE SKIP LOCKED, so any number of server processes share the work and no job or
 * change is handled by two of them.
 */
export class NotificationStore {
  /**
   * statesOfKind answers of this batch's transaction, kept until it writes a state, takes a
   * lock or rolls back to a savepoint (processChanges' stores only: a batch of 100 changes asks
   * for the Subscription states once, not once per change).
   */
  private readonly statesRead = new Map<string, { subject: string; state: unknown }[]>();

  constructor(
    private readonly db: SqlExecutor,
    /** The server's repository, bound to each planning transaction (PGlite has one connection: no read may wait outside it). */
    private readonly repo: PgRepository,
  ) {}

  /**
   * Claims up to `limit` of the oldest changes no other process holds and runs `fn` on each, in
   * order, in one transaction with a store and a repository bound to it: what `fn` plans commits
   * together with the changes' removal, or none of it does (an error from `fn` rolls the whole
   * batch back and is rethrown). Returns how many changes were claimed.
   */
  async processChanges(
    limit: number,
    fn: (change: ResourceChange, tx: NotificationStore, repo: FhirRepository) => Promise<void>,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.raw<ChangeRow>(
        `DELETE FROM resource_change WHERE id IN (SELECT id FROM resource_change ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
         RETURNING id, resource_type, resource_id, version_id, author`,
        [limit],
      );
      rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      const store = new NotificationStore(tx, this.repo);
      const repo = this.repo.boundTo(tx);
      for (const row of rows) {
        const change: ResourceChange = {
          id: String(row.id),
          resourceType: row.resource_type,
          resourceId: row.resource_id,
          versionId: row.version_id,
          author: row.author ?? undefined,
        };
        await fn(change, store, repo);
      }
      return rows.length;
    });
  }

  /** processChanges for the oldest change alone; false when no change is waiting. */
  async processNextChange(fn: (change: ResourceChange, tx: NotificationStore, repo: FhirRepository) => Promise<void>): Promise<boolean> {
    return (await this.processChanges(1, fn)) > 0;
  }

  /**
   * Runs `fn` behind a savepoint of the surrounding transaction: when it fails, what it did
   * is undone and the transaction can go on (a failed statement would otherwise doom it).
   */
  async savepoint(fn: () => Promise<void>): Promise<void> {
    if (!this.db.inTransaction) {
      throw new Error('savepoint() needs a transaction (processChanges)');
    }
    await this.db.raw('SAVEPOINT planner');
    try {
      await fn();
    } catch (error) {
      this.statesRead.clear();
      await this.db.raw('ROLLBACK TO SAVEPOINT planner');
      throw error;
    }
    await this.db.raw('RELEASE SAVEPOINT planner');
  }

  /** Serialises planners on a subject until the surrounding transaction ends. */
  async lock(subject: string): Promise<void> {
    // What is read after a lock must be read fresh (e.g. the active Subscriptions of an owner).
    this.statesRead.clear();
    await this.db.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`notify:${subject}`]);
  }

  async readState<T>(subject: string): Promise<T | undefined> {
    const { rows } = await this.db.raw<{ state: T }>('SELECT state FROM notification_state WHERE subject = ?', [subject]);
    return rows[0]?.state;
  }

  async writeState(subject: string, kind: string, state: object): Promise<void> {
    this.statesRead.clear();
    await this.db.raw(
      `INSERT INTO notification_state (subject, kind, state) VALUES (?, ?, ?::jsonb)
       ON CONFLICT (subject) DO UPDATE SET state = excluded.state, updated_at = now()`,
      [subject, kind, JSON.stringify(state)],
    );
  }

  async deleteState(subject: string): Promise<void> {
    this.statesRead.clear();
    await this.db.raw('DELETE FROM notification_state WHERE subject = ?', [subject]);
  }

  /**
   * The states of one kind. Within a processChanges batch the first answer is reused until the
   * batch writes a state or takes a lock: a state another process commits meanwhile is seen
   * from the next batch on (as if the batch's changes had been claimed a moment later).
   */
  async statesOfKind<T>(kind: string): Promise<{ subject: string; state: T }[]> {
    const cached = this.db.inTransaction ? this.statesRead.get(kind) : undefined;
    if (cached) {
      return cached as { subject: string; state: T }[];
    }
    const { rows } = await this.db.raw<{ subject: string; state: T }>(
      'SELECT subject, state FROM notification_state WHERE kind = ? ORDER BY subject',
      [kind],
    );
    if (this.db.inTransaction) {
      this.statesRead.set(kind, rows);
    }
    return rows;
  }

  /** Plans jobs; a key already planned is kept as it is, unless it was cancelled (then it is planned again). */
  async enqueue(jobs: readonly NewJob[]): Promise<void> {
    for (const job of jobs) {
      await this.db.raw(
        `INSERT INTO notification_job (kind, dedupe_key, group_key, payload, due_at, expires_at, max_attempts)
         VALUES (?, ?, ?, ?::jsonb, ?, ?, ?)
         ON CONFLICT (dedupe_key) DO UPDATE SET payload = excluded.payload, due_at = excluded.due_at,
           expires_at = excluded.expires_at, status = 'pending', attempts = 0, last_error = NULL,
           locked_until = NULL, finished_at = NULL
         WHERE notification_job.status = 'cancelled'`,
        [job.kind, job.dedupeKey, job.groupKey, JSON.stringify(job.payload), job.dueAt, job.expiresAt ?? null, job.maxAttempts],
      );
    }
  }

  /** Cancels the pending jobs of a subject (of these kinds, or all). */
  async cancelPending(groupKey: string, kinds?: readonly string[]): Promise<number> {
    const { rows } = await this.db.raw<{ id: string }>(
      `UPDATE notification_job SET status = 'cancelled', finished_at = now(), locked_until = NULL
       WHERE group_key = ? AND status = 'pending'${kinds ? ' AND kind = ANY(?::text[])' : ''} RETURNING id`,
      kinds ? [groupKey, kinds] : [groupKey],
    );
    return rows.length;
  }

  /** Marks pending jobs past their expiry as skipped (a reminder no longer useful after downtime). */
  async skipExpired(now: Date): Promise<number> {
    const { rows } = await this.db.raw<{ id: string }>(
      `UPDATE notification_job SET status = 'skipped', finished_at = now(), last_error = 'expired before it could be sent'
       WHERE id IN (SELECT id FROM notification_job WHERE status = 'pending' AND expires_at <= ?
                    AND (locked_until IS NULL OR locked_until <= ?) FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [now, now],
    );
    return rows.length;
  }

  /**
   * Takes a lease of `leaseMs` on up to `limit` due jobs that no other worker holds, counting
   * the attempt. A worker that dies mid-send loses its lease and the job is tried again.
   */
  async claimDue(now: Date, limit: number, leaseMs: number): Promise<Job[]> {
    const { rows } = await this.db.raw<JobRow>(
      `UPDATE notification_job SET locked_until = ?, attempts = attempts + 1
       WHERE id IN (SELECT id FROM notification_job
                    WHERE status = 'pending' AND due_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
                    ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [new Date(now.getTime() + leaseMs), now, now, limit],
    );
    return rows.map(toJob).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || Number(a.id) - Number(b.id));
  }

  /** Finishes a claimed job (sent, or skipped with a reason); false if the lease was lost meanwhile. */
  async finish(job: Job, status: 'sent' | 'skipped', note?: string): Promise<boolean> {
    return this.updateClaimed(job, `status = ?, finished_at = now(), locked_until = NULL, last_error = ?`, [status, note ?? null]);
  }

  /** A failed attempt: tried again at `retryAt`. */
  async retryLater(job: Job, error: string, retryAt: Date): Promise<boolean> {
    return this.updateClaimed(job, `due_at = ?, locked_until = NULL, last_error = ?`, [retryAt, error]);
  }

  /** The last attempt failed: kept as dead with its error, never sent again by itself. */
  async deadLetter(job: Job, error: string): Promise<boolean> {
    return this.updateClaimed(job, `status = 'dead', finished_at = now(), locked_until = NULL, last_error = ?`, [error]);
  }

  /** Jobs of a subject, oldest first (operators, tests). */
  async jobsOf(groupKey: string): Promise<Job[]> {
    const { rows } = await this.db.raw<JobRow>('SELECT * FROM notification_job WHERE group_key = ? ORDER BY id', [groupKey]);
    return rows.map(toJob);
  }

  /** How many changes wait to be planned (tests wait for zero). */
  async pendingChanges(): Promise<number> {
    const { rows } = await this.db.raw<{ n: number }>('SELECT count(*)::int AS n FROM resource_change');
    return rows[0].n;
  }

  private async updateClaimed(job: Job, set: string, bindings: unknown[]): Promise<boolean> {
    const { rows } = await this.db.raw<{ id: string }>(
      `UPDATE notification_job SET ${set} WHERE id = ? AND status = 'pending' AND locked_until = ? RETURNING id`,
      [...bindings, job.id, job.lockedUntil ?? null],
    );
    return rows.length === 1;
  }
}

function toJob(row: JobRow): Job {
  return {
    id: String(row.id),
    kind: row.kind,
    dedupeKey: row.dedupe_key,
    groupKey: row.group_key,
    payload: row.payload,
    status: row.status,
    dueAt: new Date(row.due_at),
    expiresAt: row.expires_at ? new Date(row.expires_at) : undefined,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error ?? undefined,
    lockedUntil: row.locked_until ? new Date(row.locked_until) : undefined,
  };
}
