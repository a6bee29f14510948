import { randomBytes, randomUUID } from 'node:crypto';
import { parseScopes } from '../../auth/scopes';
import { ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS } from '../../auth/token-claims';
import type { AccountRow, AccountStore } from '../../storage/account-store';
import { AccountError } from './account-errors';
import { hashToken } from './account-service';
import type { RevocationList } from './revocation-list';
import type { TokenSigner } from './token-signer';

/** The token endpoint's answer (RFC 6749 section 5.1 plus the SMART launch context). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly patient?: string;
  readonly fhirUser?: string;
}

export interface IntrospectionResponse {
  readonly active: boolean;
  readonly [claim: string]: unknown;
}

/**
 * Issues access tokens (signed JWTs, 15 minutes) and refresh tokens (opaque, 7 days, stored
 * hashed). Refresh tokens rotate on every use; presenting a used one again is taken as theft
 * and revokes its whole family (OAuth 2.0 Security BCP, section 4.14.2).
 */
export class TokenService {
  constructor(
    private readonly store: AccountStore,
    private readonly signer: TokenSigner,
    private readonly revocations: RevocationList,
    private readonly fhirBaseUrl: string,
  ) {}

  /** Tokens for a signed-in user. `patient` is the SMART launch patient (a patient's own id for patients). */
  async issueForAccount(
    account: AccountRow,
    clientId: string,
    requestedScope: string,
    options: { patient?: string; withRefresh: boolean; familyId?: string },
  ): Promise<TokenResponse> {
    // Users never get system scopes; the AccessContext ignores them too, but they are not granted.
    const scope = parseScopes(requestedScope)
      .granted.filter((s) => !s.startsWith('system/'))
      .join(' ');
    const parsed = parseScopes(scope);
    const ownPatient = account.role === 'patient' ? account.profile?.replace(/^Patient\//, '') : undefined;
    const patient = ownPatient ?? options.patient;
    const { token } = await this.signer.issueAccessToken({
      sub: account.id,
      client_id: clientId,
      scope,
      role: account.role,
      fhirUser: account.profile ?? undefined,
      patient,
    });
    let refresh: string | undefined;
    if (options.withRefresh) {
      refresh = randomBytes(32).toString('base64url');
      await this.store.insertRefreshToken({
        tokenHash: hashToken(refresh),
        familyId: options.familyId ?? randomUUID(),
        accountId: account.id,
        clientId,
        scope,
        patient: options.patient ?? null,
        expiresAt: new Date(Date.now() + REFRESH_TOKEN_SECONDS * 1000),
      });
    }
    const idToken = parsed.openid
      ? await this.signer.issueIdToken(account.id, clientId, account.profile ? `${this.fhirBaseUrl}/${account.profile}` : undefined)
      : undefined;
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      scope,
      ...(refresh ? { refresh_token: refresh } : {}),
      ...(idToken ? { id_token: idToken } : {}),
      ...(patient && (parsed.launchPatient || parsed.resources.some((r) => r.context === 'patient')) ? { patient } : {}),
      ...(account.profile && parsed.fhirUser ? { fhirUser: `${this.fhirBaseUrl}/${account.profile}` } : {}),
    };
  }

  /** A backend service's token (client_credentials): system scopes only, no refresh token. */
  async issueForClient(clientId: string, scope: string): Promise<TokenResponse> {
    const granted = parseScopes(scope)
      .granted.filter((s) => s.startsWith('system/'))
      .join(' ');
    const { token } = await this.signer.issueAccessToken({ sub: clientId, client_id: clientId, scope: granted });
    return { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, scope: granted };
  }

  /** Rotates a refresh token. Reuse of a rotated token revokes the family and fails. */
  async refresh(refreshToken: string, clientId: string | undefined): Promise<{ response: TokenResponse; accountId: string }> {
    const outcome = await this.store.transaction(async (store) => {
      const row = await store.lockRefreshToken(hashToken(refreshToken));
      if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now() || (clientId && row.clientId !== clientId)) {
        return { error: 'The refresh token is invalid, expired or revoked' } as const;
      }
      if (row.usedAt) {
        await store.revokeRefreshFamily(row.familyId);
        return { error: 'The refresh token was already used; every token of this sign-in is now revoked', reuse: true } as const;
      }
      await store.markRefreshTokenUsed(row.tokenHash);
      const account = await store.findAccount(row.accountId);
      if (!account) {
        return { error: 'The account no longer exists' } as const;
      }
      if (account.disabledAt) {
        return { error: 'The account is disabled' } as const;
      }
      const response = await new TokenService(store, this.signer, this.revocations, this.fhirBaseUrl).issueForAccount(
        account,
        row.clientId,
        row.scope,
        {
          patient: row.patient ?? undefined,
          withRefresh: true,
          familyId: row.familyId,
        },
      );
      return { response, accountId: account.id } as const;
    });
    if ('error' in outcome) {
      throw new AccountError('invalid-grant', outcome.error as string);
    }
    return outcome;
  }

  /** RFC 7009: revokes a refresh token's family, or an access token; unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    const claims = await this.signer.verifyAccessToken(token);
    if (claims) {
      await this.revocations.revoke(claims.jti, new Date(claims.exp * 1000));
      return;
    }
    await this.store.transaction(async (store) => {
      const row = await store.lockRefreshToken(hashToken(token));
      if (row) {
        await store.revokeRefreshFamily(row.familyId);
      }
    });
  }

  /** RFC 7662: what an access or refresh token stands for, or `{ active: false }`. */
  async introspect(token: string): Promise<IntrospectionResponse> {
    const claims = await this.signer.verifyAccessToken(token);
    if (claims) {
      if (this.revocations.has(claims.jti)) {
        return { active: false };
      }
      return { active: true, token_type: 'Bearer', ...claims };
    }
    const row = await this.store.transaction((store) => store.lockRefreshToken(hashToken(token)));
    if (!row || row.revokedAt || row.usedAt || row.expiresAt.getTime() <= Date.now()) {
      return { active: false };
    }
    return {
      active: true,
      token_type: 'refresh_token',
      client_id: row.clientId,
      sub: row.accountId,
      scope: row.scope,
      exp: Math.floor(row.expiresAt.getTime() / 1000),
    };
  }
}
