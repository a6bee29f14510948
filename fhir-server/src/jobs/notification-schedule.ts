import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger';

export interface ScheduledJob {
  stop(): Promise<void>;
}

/**
 * Runs the notification pass on a node-cron schedule in this process. Every process may run
 * it: the pass claims its rows with SKIP LOCKED. A pass still running when the next is due is
 * not doubled (noOverlap); a failed pass is logged and the next one tries again.
 */
export function scheduleNotifications(expression: string, pass: () => Promise<void>, logger: Logger): ScheduledJob {
  let running: Promise<void> | undefined;
  const task: ScheduledTask = cron.schedule(
    expression,
    () => {
      running = pass().catch((error: unknown) =>
        logger.error('Notification pass failed', { error: String((error as Error)?.stack ?? error) }),
      );
      return running;
    },
    { name: 'notifications', noOverlap: true, unref: true },
  );
  return {
    async stop() {
      await task.stop();
      await task.destroy();
      await running;
    },
  };
}
