import type { Role } from '../auth/principal';
import type { SqlExecutor } from './sql-executor';

export interface AccountRow {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly profile: string | null;
  readonly emailVerified: boolean;
  readonly failedLogins: number;
  readonly lockedUntil: Date | null;
  /** When an administrator disabled the account; null while it is enabled. */
  readonly disabledAt: Date | null;
}

export interface ClientRow {
  readonly id: string;
  readonly name: string;
  readonly kind: 'public' | 'backend';
  readonly redirectUris: readonly string[];
  readonly scope: string;
  readonly jwks: string | null;
  readonly jwksUrl: string | null;
}

export interface AuthorizationCodeRow {
  readonly clientId: string;
  readonly accountId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly scope: string;
  readonly patient: string | null;
  readonly expiresAt: Date;
}

export interface RefreshTokenRow {
  readonly tokenHash: string;
  readonly familyId: string;
  readonly accountId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly patient: string | null;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** Accounts, clients and the OAuth2 token tables: the only SQL of the security features. */
export class AccountStore {
  constructor(private readonly db: SqlExecutor) {}

  /** Runs fn in one transaction with a store bound to it. */
  transaction<T>(fn: (store: AccountStore) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new AccountStore(tx)));
  }

  async insertAccount(account: {
    id: string;
    email: string;
    passwordHash: string;
    role: Role;
    profile?: string;
    emailVerified?: boolean;
  }): Promise<boolean> {
    const { rows } = await this.db.raw(
      `INSERT INTO account (id, email, password_hash, role, profile, email_verified) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [account.id, account.email, account.passwordHash, account.role, account.profile ?? null, account.emailVerified ?? false],
    );
    return rows.length === 1;
  }

  async findAccountByEmail(email: string): Promise<AccountRow | undefined> {
    const { rows } = await this.db.raw(`SELECT * FROM account WHERE email = ?`, [email]);
    return rows[0] && toAccount(rows[0]);
  }

  async findAccount(id: string): Promise<AccountRow | undefined> {
    const { rows } = await this.db.raw(`SELECT * FROM account WHERE id = ?`, [id]);
    return rows[0] && toAccount(rows[0]);
  }

  /** Accounts whose e-mail contains `emailPart` (any when empty), optionally of one role, by e-mail. */
  async findAccounts(emailPart: string, role: Role | undefined, limit: number): Promise<AccountRow[]> {
    const pattern = `%${emailPart.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await this.db.raw(
      `SELECT * FROM account WHERE email LIKE ? AND (?::text IS NULL OR role = ?) ORDER BY email LIMIT ?`,
      [pattern, role ?? null, role ?? null, limit],
    );
    return rows.map(toAccount);
  }

  /** Disables (a date) or re-enables (null) an account; false when there is no such account. */
  async setDisabled(id: string, disabledAt: Date | null): Promise<boolean> {
    const { rows } = await this.db.raw(`UPDATE account SET disabled_at = ? WHERE id = ? RETURNING id`, [
      disabledAt?.toISOString() ?? null,
      id,
    ]);
    return rows.length === 1;
  }

  async countAccounts(role: Role): Promise<number> {
    const { rows } = await this.db.raw(`SELECT count(*)::int AS n FROM account WHERE role = ?`, [role]);
    return rows[0].n;
  }

  async setAccountProfile(id: string, profile: string): Promise<void> {
    await this.db.raw(`UPDATE account SET profile = ? WHERE id = ?`, [profile, id]);
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.db.raw(`UPDATE account SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`, [passwordHash, id]);
  }

  async markEmailVerified(id: string): Promise<void> {
    await this.db.raw(`UPDATE account SET email_verified = true WHERE id = ?`, [id]);
  }

  /** Counts a failed login; from `threshold` failures on, locks the account until `lockUntil`. */
  async recordFailedLogin(id: string, threshold: number, lockUntil: Date): Promise<void> {
    await this.db.raw(
      `UPDATE account SET failed_logins = failed_logins + 1,
         locked_until = CASE WHEN failed_logins + 1 >= ? THEN ?::timestamptz ELSE locked_until END WHERE id = ?`,
      [threshold, lockUntil.toISOString(), id],
    );
  }

  async recordSuccessfulLogin(id: string): Promise<void> {
    await this.db.raw(`UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = ?`, [id]);
  }

  async upsertClient(client: ClientRow): Promise<void> {
    await this.db.raw(
      `INSERT INTO oauth_client (id, name, kind, redirect_uris, scope, jwks, jwks_url) VALUES (?, ?, ?, ?::text[], ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, redirect_uris = excluded.redirect_uris,
         scope = excluded.scope, jwks = excluded.jwks, jwks_url = excluded.jwks_url`,
      [client.id, client.name, client.kind, client.redirectUris, client.scope, client.jwks, client.jwksUrl],
    );
  }

  async findClient(id: string): Promise<ClientRow | undefined> {
    const { rows } = await this.db.raw(`SELECT * FROM oauth_client WHERE id = ?`, [id]);
    const row = rows[0];
    return (
      row && {
        id: row.id,
        name: row.name,
        kind: row.kind,
        redirectUris: row.redirect_uris,
        scope: row.scope,
        jwks: row.jwks,
        jwksUrl: row.jwks_url,
      }
    );
  }

  async insertAuthorizationCode(codeHash: string, code: AuthorizationCodeRow): Promise<void> {
    await this.db.raw(
      `INSERT INTO authorization_code (code_hash, client_id, account_id, redirect_uri, code_challenge, scope, patient, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        codeHash,
        code.clientId,
        code.accountId,
        code.redirectUri,
        code.codeChallenge,
        code.scope,
        code.patient,
        code.expiresAt.toISOString(),
      ],
    );
  }

  /** Marks a code used and returns it, once: a second redemption gets undefined. */
  async redeemAuthorizationCode(codeHash: string): Promise<AuthorizationCodeRow | undefined> {
    const { rows } = await this.db.raw(
      `UPDATE authorization_code SET used_at = now() WHERE code_hash = ? AND used_at IS NULL AND expires_at > now()
       RETURNING client_id, account_id, redirect_uri, code_challenge, scope, patient, expires_at`,
      [codeHash],
    );
    const row = rows[0];
    return (
      row && {
        clientId: row.client_id,
        accountId: row.account_id,
        redirectUri: row.redirect_uri,
        codeChallenge: row.code_challenge,
        scope: row.scope,
        patient: row.patient,
        expiresAt: new Date(row.expires_at),
      }
    );
  }

  async insertRefreshToken(token: Omit<RefreshTokenRow, 'usedAt' | 'revokedAt'>): Promise<void> {
    await this.db.raw(
      `INSERT INTO refresh_token (token_hash, family_id, account_id, client_id, scope, patient, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [token.tokenHash, token.familyId, token.accountId, token.clientId, token.scope, token.patient, token.expiresAt.toISOString()],
    );
  }

  /** The token row, locked for the rest of the transaction (rotation is read-check-write). */
  async lockRefreshToken(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const { rows } = await this.db.raw(`SELECT * FROM refresh_token WHERE token_hash = ? FOR UPDATE`, [tokenHash]);
    const row = rows[0];
    return (
      row && {
        tokenHash: row.token_hash,
        familyId: row.family_id,
        accountId: row.account_id,
        clientId: row.client_id,
        scope: row.scope,
        patient: row.patient,
        expiresAt: new Date(row.expires_at),
        usedAt: row.used_at && new Date(row.used_at),
        revokedAt: row.revoked_at && new Date(row.revoked_at),
      }
    );
  }

  async markRefreshTokenUsed(tokenHash: string): Promise<void> {
    await this.db.raw(`UPDATE refresh_token SET used_at = now() WHERE token_hash = ?`, [tokenHash]);
  }

  async revokeRefreshFamily(familyId: string): Promise<void> {
    await this.db.raw(`UPDATE refresh_token SET revoked_at = now() WHERE family_id = ? AND revoked_at IS NULL`, [familyId]);
  }

  async revokeAllRefreshTokens(accountId: string): Promise<void> {
    await this.db.raw(`UPDATE refresh_token SET revoked_at = now() WHERE account_id = ? AND revoked_at IS NULL`, [accountId]);
  }

  async insertAccountToken(
    tokenHash: string,
    accountId: string,
    purpose: 'verify-email' | 'reset-password',
    expiresAt: Date,
  ): Promise<void> {
    await this.db.raw(`INSERT INTO account_token (token_hash, account_id, purpose, expires_at) VALUES (?, ?, ?, ?)`, [
      tokenHash,
      accountId,
      purpose,
      expiresAt.toISOString(),
    ]);
  }

  /** Consumes a single-use e-mail token; the account id, or undefined if unknown, used or expired. */
  async consumeAccountToken(tokenHash: string, purpose: 'verify-email' | 'reset-password'): Promise<string | undefined> {
    const { rows } = await this.db.raw(
      `UPDATE account_token SET used_at = now() WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > now()
       RETURNING account_id`,
      [tokenHash, purpose],
    );
    return rows[0]?.account_id;
  }

  async revokeAccessToken(jti: string, expiresAt: Date): Promise<void> {
    await this.db.raw(`INSERT INTO revoked_access_token (jti, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, [
      jti,
      expiresAt.toISOString(),
    ]);
  }

  /** Revoked access tokens that have not expired yet (a short list: tokens live 15 minutes). */
  async listRevokedAccessTokens(): Promise<string[]> {
    const { rows } = await this.db.raw(`SELECT jti FROM revoked_access_token WHERE expires_at > now()`);
    return rows.map((r: { jti: string }) => r.jti);
  }

  /** Served by the partial index account_disabled_idx: only disabled accounts are read. */
  async listDisabledAccountIds(): Promise<string[]> {
    const { rows } = await this.db.raw(`SELECT id FROM account WHERE disabled_at IS NOT NULL`);
    return rows.map((r: { id: string }) => r.id);
  }

  /** Records a client assertion's jti; false if it was seen before (a replay). */
  async recordClientAssertion(jti: string, expiresAt: Date): Promise<boolean> {
    const { rows } = await this.db.raw(
      `INSERT INTO used_client_assertion (jti, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING jti`,
      [jti, expiresAt.toISOString()],
    );
    return rows.length === 1;
  }

  async readSigningKey(): Promise<string | undefined> {
    const { rows } = await this.db.raw(`SELECT private_jwk FROM signing_key ORDER BY created_at LIMIT 1`);
    return rows[0]?.private_jwk;
  }

  /** Stores a key unless another process stored one first; returns the key in force. */
  async saveSigningKey(kid: string, privateJwk: string): Promise<string> {
    await this.db.raw(`INSERT INTO signing_key (kid, private_jwk) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM signing_key)`, [
      kid,
      privateJwk,
    ]);
    return (await this.readSigningKey()) as string;
  }
}

function toAccount(row: Record<string, unknown>): AccountRow {
  return {
    id: row.id as string,
    email: row.email as string,
    passwordHash: row.password_hash as string,
    role: row.role as Role,
    profile: (row.profile as string | null) ?? null,
    emailVerified: row.email_verified as boolean,
    failedLogins: row.failed_logins as number,
    lockedUntil: row.locked_until ? new Date(row.locked_until as string) : null,
    disabledAt: row.disabled_at ? new Date(row.disabled_at as string) : null,
  };
}
