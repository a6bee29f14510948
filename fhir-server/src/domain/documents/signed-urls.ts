import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed download URL grants: one Binary, until `expires`, issued to `issuedTo` (for the audit). */
export interface DownloadGrant {
  readonly binaryId: string;
  /** Unix seconds. */
  readonly expires: number;
  /** PHI-free label of who asked for the URL (`Patient/1`, `client:x`). */
  readonly issuedTo: string;
}

export type GrantCheck =
  { readonly ok: true; readonly grant: DownloadGrant } | { readonly ok: false; readonly reason: 'invalid' | 'expired' };

/**
 * Bearer-less download tokens: the grant as base64url JSON and its HMAC-SHA256, so the URL
 * works without an access token until it expires, and any change to it breaks the signature.
 */
export class UrlSigner {
  constructor(private readonly key: Buffer | string) {}

  sign(grant: DownloadGrant): string {
    const payload = Buffer.from(JSON.stringify({ b: grant.binaryId, e: grant.expires, i: grant.issuedTo })).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  verify(token: string, now: Date = new Date()): GrantCheck {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) {
      return { ok: false, reason: 'invalid' };
    }
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, reason: 'invalid' };
    }
    const fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { b: string; e: number; i: string };
    if (fields.e * 1000 <= now.getTime()) {
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, grant: { binaryId: fields.b, expires: fields.e, issuedTo: fields.i } };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
