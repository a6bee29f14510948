import type { Principal } from './auth/principal';
import type { Config } from './config';
import { allResourceTypes } from './definitions';
import { AppointmentEmailSender } from './domain/notifications/appointment-email-sender';
import { AppointmentPlanner } from './domain/notifications/appointment-planner';
import type { Clock } from './domain/notifications/clock';
import type { Mailer } from './domain/notifications/mailer';
import { NotificationWorker } from './domain/notifications/notification-worker';
import { PatientEmailSender } from './domain/notifications/patient-email-sender';
import { PatientNoticePlanner } from './domain/notifications/patient-notice-planner';
import { BindingTokens } from './domain/subscriptions/binding-tokens';
import { RestHookSender } from './domain/subscriptions/rest-hook-sender';
import { SubscriptionPlanner, type SubscriptionState } from './domain/subscriptions/subscription-planner';
import { WebSocketSender } from './domain/subscriptions/websocket-sender';
import { WebPushSubscriptionSender } from './domain/subscriptions/web-push-subscription-sender';
import { webPushSender } from './integrations/web-push-sender';
import { SubscriptionSockets, type SocketCaller } from './http/subscription-sockets';
import { httpHookClient } from './integrations/http-hook-client';
import { scheduleNotifications, type ScheduledJob } from './jobs/notification-schedule';
import type { Logger } from './logger';
import type { PgRepository } from './storage/pg-repository';
import { NotificationStore } from './storage/notification-store';
import type { SqlExecutor } from './storage/sql-executor';

/** Reminders, transactional e-mail and Subscription deliveries, wired once for the app. */
export interface NotificationServices {
  readonly store: NotificationStore;
  /** The Subscription WebSocket endpoint of this process (its bound clients). */
  readonly sockets: SubscriptionSockets;
  /** Tokens for `bind-with-token` (`$get-ws-binding-token`). */
  readonly bindingTokens: BindingTokens;
  /** One pass now (what the cron schedule runs). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** How the WebSocket endpoint recognises callers. */
export interface NotificationAccess {
  /** The principal of a valid, unrevoked access token and its expiry, else undefined. */
  authenticate(accessToken: string): Promise<SocketCaller | undefined>;
  /** HMAC key of binding tokens, the same in every process. */
  readonly bindingKey: Buffer | string;
  /** The principal's account has been disabled since it signed in. */
  accountDisabled(principal: Principal): boolean;
}

export function createNotificationServices(
  config: Config,
  sql: SqlExecutor,
  repo: PgRepository,
  mailer: Mailer,
  logger: Logger,
  access: NotificationAccess,
  clock?: Clock,
): NotificationServices {
  const settings = config.notifications;
  const store = new NotificationStore(sql, repo);
  const bindingTokens = new BindingTokens(access.bindingKey, settings.bindingTokenSeconds);
  const sockets = new SubscriptionSockets({
    authenticate: access.authenticate,
    accountDisabled: access.accountDisabled,
    bindingTokens,
    repo,
    baseUrl: config.fhirBaseUrl,
    latestEvent: async (id) => (await store.readState<SubscriptionState>(`Subscription/${id}`))?.events ?? 0,
    onError: (message, details) => logger.error(message, details),
  });
  const policy = { allowedHosts: settings.hookAllowedHosts, allowPrivateNetworks: settings.hookPrivateNetworks };
  const hooks = httpHookClient({ timeoutMs: settings.hookTimeoutMs, policy });
  const worker = new NotificationWorker({
    store,
    clock,
    planners: [
      new AppointmentPlanner({ reminderOffsetsMinutes: settings.reminderOffsetsMinutes, maxAttempts: settings.maxAttempts }),
      new PatientNoticePlanner({ maxAttempts: settings.maxAttempts }),
      new SubscriptionPlanner({
        policy,
        maxAttempts: settings.maxAttempts,
        knownTypes: allResourceTypes(),
        webPush: Boolean(settings.webPush),
      }),
    ],
    senders: [
      new AppointmentEmailSender(repo, mailer, { publicUrl: config.publicUrl, defaultTimeZone: settings.defaultTimeZone }),
      new PatientEmailSender(repo, mailer, { publicUrl: config.publicUrl, defaultTimeZone: settings.defaultTimeZone }),
      new RestHookSender(repo, hooks, policy),
      new WebSocketSender(sockets),
      new WebPushSubscriptionSender(repo, settings.webPush ? webPushSender(settings.webPush, hooks) : undefined, policy),
    ],
    onError: (message, details) => logger.error(message, details),
  });
  // Clients bound here also get the events other processes planned and sent.
  const tick = async (): Promise<void> => {
    await worker.tick();
    await sockets.catchUp();
  };
  const scheduled: ScheduledJob | undefined = settings.cron ? scheduleNotifications(settings.cron, tick, logger) : undefined;
  return {
    store,
    sockets,
    bindingTokens,
    tick,
    stop: async () => {
      await scheduled?.stop();
      await sockets.close();
    },
  };
}
