import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { FULL_ACCESS } from '../auth/access-context';
import { RequestAudit } from '../domain/audit/request-audit';
import type { ConsultationSettings } from '../domain/consultations/consultation-settings';
import { markNoShows } from '../fhir/consultations/no-show-sweep';
import type { Logger } from '../logger';
import type { FhirRepository } from '../storage/fhir-repository';

export interface NoShowJob {
  /** One sweep now (the schedule calls this every minute); the ids marked. */
  run(now?: Date): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * On its schedule (every minute by default), booked appointments past their grace period become no-shows. Each run's
 * changes are audited as one AuditEvent of the server itself.
 */
export function startNoShowJob(
  repo: FhirRepository,
  baseUrl: string,
  settings: ConsultationSettings,
  logger: Logger,
  cronExpression: string | undefined,
): NoShowJob {
  const run = async (now = new Date()): Promise<string[]> => {
    const trail = new RequestAudit({ principal: FULL_ACCESS.principal, interaction: 'update', requestId: `no-show-${randomUUID()}` });
    const marked = await markNoShows({ repo: repo.withAccess(FULL_ACCESS, trail), access: FULL_ACCESS, baseUrl }, settings, now);
    if (marked.length > 0) {
      logger.info('Appointments marked as no-show', { count: marked.length });
    }
    return marked;
  };
  let task: ScheduledTask | undefined;
  if (cronExpression) {
    task = cron.schedule(
      cronExpression,
      async () => {
        try {
          await run();
        } catch (error) {
          logger.error('No-show job failed', { error: String((error as Error)?.stack ?? error) });
        }
      },
      { noOverlap: true, name: 'appointment-no-show' },
    );
  }
  return {
    run,
    stop: async () => {
      await task?.destroy();
    },
  };
}
