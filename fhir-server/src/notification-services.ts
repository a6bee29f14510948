import type { Config } from './config';
import { AppointmentEmailSender } from './domain/notifications/appointment-email-sender';
import { AppointmentPlanner } from './domain/notifications/appointment-planner';
import type { Clock } from './domain/notifications/clock';
import type { Mailer } from './domain/notifications/mailer';
import { NotificationWorker } from './domain/notifications/notification-worker';
import { scheduleNotifications, type ScheduledJob } from './jobs/notification-schedule';
import type { Logger } from './logger';
import type { FhirRepository } from './storage/fhir-repository';
import { NotificationStore } from './storage/notification-store';
import type { SqlExecutor } from './storage/sql-executor';

/** Reminders, transactional e-mail and Subscription deliveries, wired once for the app. */
export interface NotificationServices {
  readonly store: NotificationStore;
  /** One pass now (what the cron schedule runs). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function createNotificationServices(
  config: Config,
  sql: SqlExecutor,
  repo: FhirRepository,
  mailer: Mailer,
  logger: Logger,
  clock?: Clock,
): NotificationServices {
  const settings = config.notifications;
  const store = new NotificationStore(sql);
  const worker = new NotificationWorker({
    store,
    clock,
    planners: [
      new AppointmentPlanner(repo, { reminderOffsetsMinutes: settings.reminderOffsetsMinutes, maxAttempts: settings.maxAttempts }),
    ],
    senders: [new AppointmentEmailSender(repo, mailer, { publicUrl: config.publicUrl, defaultTimeZone: settings.defaultTimeZone })],
    onError: (message, details) => logger.error(message, details),
  });
  const scheduled: ScheduledJob | undefined = settings.cron ? scheduleNotifications(settings.cron, () => worker.tick(), logger) : undefined;
  return {
    store,
    tick: () => worker.tick(),
    stop: async () => {
      await scheduled?.stop();
    },
  };
}
