import nodeCron, { type ScheduledTask } from 'node-cron';
import { FULL_ACCESS } from '../auth/access-context';
import { releaseExpiredHolds } from '../domain/scheduling/expired-holds';
import { completeFulfilledFollowUps } from '../domain/scheduling/follow-ups';
import { materialiseSlots, schedulesWithRules } from '../domain/scheduling/slot-materialiser';
import type { Logger } from '../logger';
import type { FhirRepository } from '../storage/fhir-repository';

export const SLOT_HORIZON_JOB = 'slot-horizon';

export interface SlotHorizonJobDeps {
  readonly repo: FhirRepository;
  readonly horizonDays: number;
  /** Runs the work of one tick unless another process has (storage/exclusive-job.ts). */
  readonly runExclusively: (job: string, tick: string, work: () => Promise<void>) => Promise<boolean>;
  readonly logger: Logger;
}

/**
 * The scheduling housekeeping of one tick: every schedule's slots extended to the rolling
 * horizon (and past rule changes caught up), lapsed holds released, follow-ups of fulfilled
 * appointments completed. Runs once per tick across all processes. Returns whether it ran here.
 */
export async function runSlotHorizonTick(deps: SlotHorizonJobDeps, tick: string, nowMs = Date.now()): Promise<boolean> {
  return deps.runExclusively(SLOT_HORIZON_JOB, tick, async () => {
    const repo = deps.repo.withAccess(FULL_ACCESS);
    for (const scheduleId of await schedulesWithRules(repo)) {
      try {
        await materialiseSlots(repo, scheduleId, nowMs, deps.horizonDays);
      } catch (error) {
        // One schedule with rules gone bad must not stop the others.
        deps.logger.error('Slot generation failed', { scheduleId, error: String((error as Error)?.message ?? error) });
      }
    }
    await releaseExpiredHolds(repo, nowMs);
    await completeFulfilledFollowUps(repo);
  });
}

/** Schedules the tick with node-cron; the tick id is the minute it fired in, the same in every process. */
export function startSlotHorizonJob(deps: SlotHorizonJobDeps, cron: string): ScheduledTask {
  return nodeCron.schedule(
    cron,
    async (context) => {
      try {
        await runSlotHorizonTick(deps, context.date.toISOString().slice(0, 16));
      } catch (error) {
        deps.logger.error('Slot horizon job failed', { error: String((error as Error)?.stack ?? error) });
      }
    },
    { name: SLOT_HORIZON_JOB, noOverlap: true },
  );
}
