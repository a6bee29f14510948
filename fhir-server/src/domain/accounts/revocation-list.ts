import type { AccountStore } from '../../storage/account-store';

const REFRESH_MS = 5_000;

/**
 * Revoked access-token ids, checked on every request without a database round trip: the
 * list is reloaded in the background at most every 5 s, so a token revoked on another
 * instance stops working within that time (on this instance, at once).
 */
export class RevocationList {
  private revoked = new Set<string>();
  private loadedAt = 0;
  private loading?: Promise<void>;

  constructor(private readonly store: AccountStore) {}

  has(jti: string): boolean {
    if (Date.now() - this.loadedAt > REFRESH_MS && !this.loading) {
      this.loading = this.reload().finally(() => (this.loading = undefined));
    }
    return this.revoked.has(jti);
  }

  async revoke(jti: string, expiresAt: Date): Promise<void> {
    this.revoked.add(jti);
    await this.store.revokeAccessToken(jti, expiresAt);
  }

  async reload(): Promise<void> {
    this.loadedAt = Date.now();
    try {
      const fresh = new Set(await this.store.listRevokedAccessTokens());
      for (const jti of this.revoked) {
        fresh.add(jti);
      }
      this.revoked = fresh;
    } catch {
      // Keep the previous list; the next request retries.
    }
  }
}
