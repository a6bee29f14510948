import type { AccountStore } from '../../storage/account-store';

const REFRESH_MS = 5_000;

/** What identifies an access token and whose it is. */
export interface TokenIdentity {
  readonly jti: string;
  /** Account id for a user, client id for a backend service. */
  readonly sub: string;
}

/**
 * Revoked access-token ids and disabled accounts, checked on every request without a database
 * round trip: both lists are reloaded in the background at most every 5 s, so a token revoked,
 * or an account disabled, on another instance stops working within that time (on this
 * instance, at once).
 */
export class RevocationList {
  private revoked = new Set<string>();
  private disabledAccounts = new Set<string>();
  private loadedAt = 0;
  private loading?: Promise<void>;

  constructor(private readonly store: AccountStore) {}

  has(jti: string): boolean {
    this.refreshIfStale();
    return this.revoked.has(jti);
  }

  isAccountDisabled(accountId: string): boolean {
    this.refreshIfStale();
    return this.disabledAccounts.has(accountId);
  }

  /** True when the token was revoked or its account has been disabled since it was issued. */
  revokes(token: TokenIdentity): boolean {
    return this.has(token.jti) || this.isAccountDisabled(token.sub);
  }

  /** Takes effect on this instance at once (the database is the caller's to update). */
  setAccountDisabled(accountId: string, disabled: boolean): void {
    if (disabled) {
      this.disabledAccounts.add(accountId);
    } else {
      this.disabledAccounts.delete(accountId);
    }
  }

  async revoke(jti: string, expiresAt: Date): Promise<void> {
    this.revoked.add(jti);
    await this.store.revokeAccessToken(jti, expiresAt);
  }

  private refreshIfStale(): void {
    if (Date.now() - this.loadedAt > REFRESH_MS && !this.loading) {
      this.loading = this.reload().finally(() => (this.loading = undefined));
    }
  }

  async reload(): Promise<void> {
    this.loadedAt = Date.now();
    try {
      const [revoked, disabled] = await Promise.all([this.store.listRevokedAccessTokens(), this.store.listDisabledAccountIds()]);
      const fresh = new Set(revoked);
      for (const jti of this.revoked) {
        fresh.add(jti);
      }
      this.revoked = fresh;
      // Not merged with the previous set: re-enabling an account on another instance must count.
      this.disabledAccounts = new Set(disabled);
    } catch {
      // Keep the previous list; the next request retries.
    }
  }
}
