import type { Subscription } from '@medplum/fhirtypes';

/** Job kinds of Subscription deliveries, one per channel. */
export const REST_HOOK = 'subscription-rest-hook';
export const WEBSOCKET = 'subscription-websocket';
export const WEB_PUSH = 'subscription-web-push';

/**
 * A rest-hook channel whose endpoint is a Web Push endpoint (a browser's PushSubscription):
 * sub-extensions `p256dh` and `auth` (valueString, base64url) carry the browser's keys, and
 * the server posts an encrypted, VAPID-signed push message instead of a plain POST.
 */
export const WEB_PUSH_EXTENSION = 'https://medbuddy.dev/fhir/StructureDefinition/subscription-web-push';

/** One numbered Subscription event, as queued (notification_job.payload). */
export interface SubscriptionEventPayload {
  readonly subscription: string;
  /** `Appointment/1` */
  readonly resource: string;
  /** The version written: the deletion itself for a deleted resource. */
  readonly versionId: number;
  readonly eventNumber: number;
  /** The resource was deleted (it matched the criteria before). */
  readonly deleted?: boolean;
}

export interface WebPushKeys {
  readonly p256dh: string;
  readonly auth: string;
}

/** The browser keys of a Web Push channel, or undefined when the channel is not one. */
export function webPushKeys(subscription: Subscription): WebPushKeys | undefined {
  const extension = subscription.channel?.extension?.find((e) => e.url === WEB_PUSH_EXTENSION);
  if (!extension) {
    return undefined;
  }
  const value = (name: string): string => extension.extension?.find((e) => e.url === name)?.valueString ?? '';
  return { p256dh: value('p256dh'), auth: value('auth') };
}

/** The job kind that delivers a Subscription's events. */
export function deliveryKind(subscription: Subscription): string {
  if (subscription.channel?.type === 'websocket') {
    return WEBSOCKET;
  }
  return webPushKeys(subscription) ? WEB_PUSH : REST_HOOK;
}
