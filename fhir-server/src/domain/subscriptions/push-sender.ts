import type { WebPushKeys } from './subscription-channels';

/** One Web Push message for one browser. */
export interface PushMessage {
  /** The PushSubscription endpoint of the browser's push service. */
  readonly endpoint: string;
  readonly keys: WebPushKeys;
  /** Text encrypted for the browser; push services see only ciphertext. */
  readonly payload: string;
  /** How long the push service may keep it for an offline device. */
  readonly ttlSeconds: number;
}

/** The push endpoint no longer exists (404/410): the browser unsubscribed; no retry can help. */
export class PushEndpointGone extends Error {}

/**
 * The port to push services (integrations/web-push-sender.ts: VAPID + aes128gcm with
 * `web-push`). It resolves when the push service accepted the message and throws otherwise.
 */
export interface PushSender {
  send(message: PushMessage): Promise<void>;
}
