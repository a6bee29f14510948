import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PrincipalRecord } from '../../auth/principal-record';

/** What a WebSocket binding token grants: binding one Subscription, as this principal, until `expires`. */
export interface BindingGrant {
  readonly subscriptionId: string;
  readonly principal: PrincipalRecord;
  /** Unix seconds. */
  readonly expires: number;
}

/**
 * Short-lived tokens for `bind-with-token` on the Subscription WebSocket (R4B backport
 * `$get-ws-binding-token`): browsers cannot send an Authorization header with a WebSocket, so
 * they exchange their access token for one of these over HTTPS first. The grant as base64url
 * JSON and its HMAC-SHA256; any server process with the same key accepts it.
 */
export class BindingTokens {
  constructor(
    private readonly key: Buffer | string,
    /** How long a token may be used to bind. */
    readonly lifetimeSeconds: number,
  ) {}

  issue(subscriptionId: string, principal: PrincipalRecord, now: Date = new Date()): { token: string; expires: Date } {
    const expires = Math.floor(now.getTime() / 1000) + this.lifetimeSeconds;
    const payload = Buffer.from(JSON.stringify({ s: subscriptionId, p: principal, e: expires })).toString('base64url');
    return { token: `${payload}.${this.mac(payload)}`, expires: new Date(expires * 1000) };
  }

  /** The grant of a token that is intact and not expired, else undefined. */
  verify(token: string, now: Date = new Date()): BindingGrant | undefined {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) {
      return undefined;
    }
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return undefined;
    }
    const fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: string; p: PrincipalRecord; e: number };
    if (fields.e * 1000 <= now.getTime()) {
      return undefined;
    }
    return { subscriptionId: fields.s, principal: fields.p, expires: fields.e };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
