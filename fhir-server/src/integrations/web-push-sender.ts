import webpush from 'web-push';
import { HookStatusError, type HookClient } from '../domain/subscriptions/hook-client';
import { PushEndpointGone, type PushMessage, type PushSender } from '../domain/subscriptions/push-sender';

export interface VapidKeys {
  /** `mailto:` or `https:` contact of the sender, shown to push services. */
  readonly subject: string;
  /** base64url, as `web-push generate-vapid-keys` prints them. */
  readonly publicKey: string;
  readonly privateKey: string;
}

/**
 * Web Push with `web-push`: the message is encrypted (aes128gcm, RFC 8291) and signed with
 * the server's VAPID keys (RFC 8292) by `generateRequestDetails`, then posted through the
 * rest-hook client, so a push endpoint gets the same address checks and timeout as a rest-hook.
 */
export function webPushSender(vapid: VapidKeys, hooks: HookClient): PushSender {
  return {
    async send(message: PushMessage) {
      const details = webpush.generateRequestDetails({ endpoint: message.endpoint, keys: message.keys }, message.payload, {
        vapidDetails: vapid,
        TTL: message.ttlSeconds,
        contentEncoding: 'aes128gcm',
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(details.headers)) {
        if (name.toLowerCase() !== 'content-length') {
          headers[name] = String(value);
        }
      }
      try {
        await hooks.post({ url: details.endpoint, headers, body: details.body ?? undefined });
      } catch (error) {
        if (error instanceof HookStatusError && (error.status === 404 || error.status === 410)) {
          throw new PushEndpointGone(`The push service answered ${error.status}: the browser's push subscription is gone`);
        }
        throw error;
      }
    },
  };
}
