import type { Config } from './config';
import { allResourceTypes } from './definitions';
import { AppointmentEmailSender } from './domain/notifications/appointment-email-sender';
import { AppointmentPlanner } from './domain/notifications/appointment-planner';
import type { Clock } from './domain/notifications/clock';
import type { Mailer } from './domain/notifications/mailer';
import { NotificationWorker } from './domain/notifications/notification-worker';
import { RestHookSender } from './domain/subscriptions/rest-hook-sender';
import { SubscriptionPlanner } from './domain/subscriptions/subscription-planner';
import { httpHookClient } from './integrations/http-hook-client';
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
  const policy = { allowedHosts: settings.hookAllowedHosts, production: config.production };
  const worker = new NotificationWorker({
    store,
    clock,
    planners: [
      new AppointmentPlanner(repo, { reminderOffsetsMinutes: settings.reminderOffsetsMinutes, maxAttempts: settings.maxAttempts }),
      new SubscriptionPlanner(repo, { policy, maxAttempts: settings.maxAttempts, knownTypes: allResourceTypes() }),
    ],
    senders: [
      new AppointmentEmailSender(repo, mailer, { publicUrl: config.publicUrl, defaultTimeZone: settings.defaultTimeZone }),
      new RestHookSender(repo, httpHookClient(settings.hookTimeoutMs), policy),
    ],
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
