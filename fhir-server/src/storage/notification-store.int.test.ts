import type { Patient } from '@medplum/fhirtypes';
import { openThrowawayDatabases } from '../../test/setup/test-database';
import { FULL_ACCESS } from '../auth/access-context';
import { NotificationWorker } from '../domain/notifications/notification-worker';
import type { Database } from './db';
import { NotificationStore, type Job, type NewJob } from './notification-store';
import { PgRepository } from './pg-repository';

/**
 * The notification outboxes on PostgreSQL, with two "server processes" (two pools, two stores)
 * on one database: changes are recorded with their write and each one is taken once; due jobs
 * are leased to one worker; retries, dead letters and expiry.
 */
let databases: Awaited<ReturnType<typeof openThrowawayDatabases>>;
let dbA: Database;
let dbB: Database;
let storeA: NotificationStore;
let storeB: NotificationStore;
let repo: PgRepository;

beforeAll(async () => {
  databases = await openThrowawayDatabases(2, 4);
  [dbA, dbB] = databases.dbs;
  repo = new PgRepository(dbA.sql, FULL_ACCESS);
  storeA = new NotificationStore(dbA.sql, repo);
  storeB = new NotificationStore(dbB.sql, new PgRepository(dbB.sql, FULL_ACCESS));
});
afterAll(() => databases.close());

const T0 = new Date('2026-12-14T09:00:00Z');
const minutes = (n: number): Date => new Date(T0.getTime() + n * 60_000);
let seq = 0;
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  kind: 'test',
  dedupeKey: `key-${++seq}`,
  groupKey: `group-${seq}`,
  payload: { n: seq },
  dueAt: T0,
  maxAttempts: 3,
  ...overrides,
});

async function writePatient(id: string, versionId = 1): Promise<void> {
  const lastUpdated = new Date().toISOString();
  const resource: Patient & { id: string } = { resourceType: 'Patient', id, meta: { versionId: String(versionId), lastUpdated } };
  await repo.writeVersion({ resource, versionId, lastUpdated, method: versionId === 1 ? 'POST' : 'PUT', deleted: false });
}

async function drainChanges(): Promise<void> {
  while (await storeA.processNextChange(async () => undefined));
}

describe('resource changes (the write outbox)', () => {
  beforeEach(drainChanges);

  test('a committed write leaves one change row; a rolled-back transaction leaves none', async () => {
    await writePatient('change-1');
    await expect(
      repo.transaction(async (tx) => {
        const lastUpdated = new Date().toISOString();
        await tx.writeVersion({
          resource: { resourceType: 'Patient', id: 'change-2', meta: { versionId: '1', lastUpdated } },
          versionId: 1,
          lastUpdated,
          method: 'POST',
          deleted: false,
        });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const seen: string[] = [];
    while (
      await storeA.processNextChange(async (change) => void seen.push(`${change.resourceType}/${change.resourceId}/${change.versionId}`))
    );
    expect(seen).toEqual(['Patient/change-1/1']);
  });

  test('two processes draining 40 changes at once take each exactly once', async () => {
    for (let i = 0; i < 40; i++) {
      await writePatient(`many-${i}`);
    }
    const seen: string[] = [];
    const drain = async (store: NotificationStore): Promise<void> => {
      while (
        await store.processNextChange(async (change) => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          seen.push(change.resourceId);
        })
      );
    };
    await Promise.all([drain(storeA), drain(storeB), drain(storeA), drain(storeB)]);
    expect(seen.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `many-${i}`).sort());
  });

  test('a change whose planning fails stays for the next pass', async () => {
    await writePatient('retry-me');
    await expect(storeA.processNextChange(async () => Promise.reject(new Error('planner down')))).rejects.toThrow('planner down');
    const seen: string[] = [];
    await storeB.processNextChange(async (change) => void seen.push(change.resourceId));
    expect(seen).toEqual(['retry-me']);
  });
});

describe('notification jobs (the send outbox)', () => {
  test('planning the same key twice keeps one job; a cancelled one is planned again', async () => {
    const first = job({ groupKey: 'dedupe-group', dedupeKey: 'dedupe-key' });
    await storeA.enqueue([first, { ...first, payload: { changed: true } }]);
    expect((await storeA.jobsOf('dedupe-group')).map((j) => j.payload)).toEqual([first.payload]);
    expect(await storeA.cancelPending('dedupe-group')).toBe(1);
    await storeA.enqueue([{ ...first, payload: { again: true } }]);
    const [again] = await storeA.jobsOf('dedupe-group');
    expect(again).toMatchObject({ status: 'pending', payload: { again: true } });
    await storeA.cancelPending('dedupe-group');
  });

  test('due jobs claimed by two workers at once go to one of them each', async () => {
    const planned = Array.from({ length: 30 }, () => job({ groupKey: 'race', dueAt: minutes(-1) }));
    await storeA.enqueue(planned);
    const claims = await Promise.all([
      storeA.claimDue(T0, 10, 60_000),
      storeB.claimDue(T0, 10, 60_000),
      storeA.claimDue(T0, 10, 60_000),
      storeB.claimDue(T0, 10, 60_000),
    ]);
    const ids = claims.flat().map((j) => j.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    // Leased: nobody else gets them before the lease ends.
    expect(await storeB.claimDue(minutes(0.5), 50, 60_000)).toEqual([]);
    for (const claimed of claims.flat()) {
      expect(await storeA.finish(claimed, 'sent')).toBe(true);
    }
    expect(await storeB.claimDue(minutes(5), 50, 60_000)).toEqual([]);
  });

  test('a job not yet due is left alone; a lost lease lets another worker retry it', async () => {
    await storeA.enqueue([job({ groupKey: 'lease', dueAt: minutes(10) })]);
    expect(await storeA.claimDue(minutes(9), 10, 60_000)).toEqual([]);
    const [claimed] = await storeA.claimDue(minutes(10), 10, 60_000);
    expect(claimed.attempts).toBe(1);
    // The first worker died: after its lease, another takes the job; the first can no longer finish it.
    const [retaken] = await storeB.claimDue(minutes(12), 10, 60_000);
    expect(retaken).toMatchObject({ id: claimed.id, attempts: 2 });
    expect(await storeA.finish(claimed, 'sent')).toBe(false);
    expect(await storeB.finish(retaken, 'sent')).toBe(true);
  });

  test('failures are retried later, then dead-lettered with their error', async () => {
    await storeA.enqueue([job({ groupKey: 'failing', dueAt: T0, maxAttempts: 2 })]);
    const [first] = await storeA.claimDue(T0, 10, 60_000);
    await storeA.retryLater(first, 'connection refused', minutes(1));
    expect(await storeA.claimDue(minutes(0.5), 10, 60_000)).toEqual([]);
    const [second] = await storeA.claimDue(minutes(1), 10, 60_000);
    expect(second).toMatchObject({ attempts: 2, lastError: 'connection refused' });
    await storeA.deadLetter(second, 'still refused');
    expect(await storeA.jobsOf('failing')).toEqual([expect.objectContaining({ status: 'dead', lastError: 'still refused' })]);
    expect(await storeA.claimDue(minutes(600), 10, 60_000)).toEqual([]);
  });

  test('a job past its expiry is skipped, not sent', async () => {
    await storeA.enqueue([job({ groupKey: 'stale', dueAt: minutes(-30), expiresAt: minutes(-5) })]);
    expect(await storeA.skipExpired(T0)).toBe(1);
    expect(await storeA.claimDue(T0, 10, 60_000)).toEqual([]);
    expect(await storeA.jobsOf('stale')).toEqual([expect.objectContaining({ status: 'skipped' })]);
  });
});

describe('the notification worker', () => {
  test('a failing send is retried with growing delays, then dead-lettered and reported once', async () => {
    let now = minutes(1000);
    const attempts: Date[] = [];
    const dead: Job[] = [];
    const errors: string[] = [];
    const worker = new NotificationWorker({
      store: storeA,
      clock: () => now,
      planners: [],
      senders: [
        {
          kind: 'always-failing',
          send: async () => {
            attempts.push(now);
            throw new Error('SMTP 451 try later');
          },
          onDead: async (job) => void dead.push(job),
        },
      ],
      onError: (message) => void errors.push(message),
    });
    await storeA.enqueue([job({ kind: 'always-failing', groupKey: 'worker-retry', dueAt: now, maxAttempts: 4 })]);
    for (let i = 0; i < 400; i++) {
      await worker.tick();
      now = new Date(now.getTime() + 15_000);
    }
    const gaps = attempts.slice(1).map((at, i) => (at.getTime() - attempts[i].getTime()) / 1000);
    expect(gaps).toEqual([30, 60, 120]);
    expect(dead).toHaveLength(1);
    expect(errors).toEqual(['Notification failed for good']);
    expect(await storeA.jobsOf('worker-retry')).toEqual([
      expect.objectContaining({ status: 'dead', attempts: 4, lastError: 'SMTP 451 try later' }),
    ]);
  });

  test('a planner that throws on a change does not block the changes behind it', async () => {
    await drainChanges();
    await writePatient('poison');
    await writePatient('healthy');
    const planned: string[] = [];
    const errors: string[] = [];
    const worker = new NotificationWorker({
      store: storeB,
      planners: [
        {
          plan: async (change) => {
            if (change.resourceId === 'poison') {
              throw new Error('unexpected content');
            }
            planned.push(change.resourceId);
          },
        },
      ],
      senders: [],
      onError: (message) => void errors.push(message),
    });
    await worker.tick();
    expect(planned).toEqual(['healthy']);
    expect(errors).toEqual(['Planning notifications failed']);
    expect(await storeB.pendingChanges()).toBe(0);
  });

  test('one tick plans a burst larger than a batch, in write order', async () => {
    await drainChanges();
    const written = Array.from({ length: 250 }, (_, i) => `burst-${String(i).padStart(3, '0')}`);
    for (const id of written) {
      await writePatient(id);
    }
    const planned: string[] = [];
    const worker = new NotificationWorker({
      store: storeA,
      planners: [{ plan: async (change) => void planned.push(change.resourceId) }],
      senders: [],
      onError: (message) => {
        throw new Error(message);
      },
    });
    await worker.tick();
    expect(planned).toEqual(written);
    expect(await storeA.pendingChanges()).toBe(0);
  });

  test('a planner whose SQL statement fails on one change does not block or lose the changes around it', async () => {
    await drainChanges();
    await writePatient('before-bad-sql');
    await writePatient('bad-sql');
    await writePatient('after-bad-sql');
    const errors: string[] = [];
    const worker = new NotificationWorker({
      store: storeA,
      planners: [
        {
          plan: async (change, tx) => {
            // An invalid timestamp makes PostgreSQL fail the statement (and the transaction, but for a savepoint).
            const dueAt = change.resourceId === 'bad-sql' ? new Date(Number.NaN) : T0;
            await tx.enqueue([job({ groupKey: 'sql-test', dedupeKey: `sql-${change.resourceId}`, dueAt })]);
          },
        },
      ],
      senders: [],
      onError: (message) => void errors.push(message),
    });
    await worker.tick();
    expect(errors).toEqual(['Planning notifications failed']);
    expect(await storeA.pendingChanges()).toBe(0);
    const jobs = await storeA.jobsOf('sql-test');
    expect(jobs.map((j) => j.dedupeKey).sort()).toEqual(['sql-after-bad-sql', 'sql-before-bad-sql']);
  });
});
