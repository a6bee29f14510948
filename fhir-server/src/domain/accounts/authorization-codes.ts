import { createHash, randomBytes } from 'node:crypto';
import type { AccountStore } from '../../storage/account-store';
import { AccountError } from './account-errors';
import { hashToken } from './account-service';

/** Codes are exchanged at once by the app; RFC 6749 section 4.1.2 recommends at most 10 minutes. */
const CODE_SECONDS = 60;
/** RFC 7636 section 4.1: 43-128 characters of the unreserved set. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface CodeGrant {
  readonly clientId: string;
  readonly accountId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly scope: string;
  readonly patient?: string;
}

export function isValidCodeChallenge(challenge: string): boolean {
  return PKCE_VALUE.test(challenge);
}

/** Authorization codes with PKCE S256 (RFC 7636): single use, short-lived, stored hashed. */
export class AuthorizationCodes {
  constructor(private readonly store: AccountStore) {}

  async issue(grant: CodeGrant): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.store.insertAuthorizationCode(hashToken(code), {
      ...grant,
      patient: grant.patient ?? null,
      expiresAt: new Date(Date.now() + CODE_SECONDS * 1000),
    });
    return code;
  }

  /** The grant behind a code, once, if client, redirect URI and code verifier all match. */
  async redeem(code: string, clientId: string, redirectUri: string, codeVerifier: string): Promise<CodeGrant> {
    const row = await this.store.redeemAuthorizationCode(hashToken(code));
    if (!row) {
      throw new AccountError('invalid-grant', 'The authorization code is invalid, expired or already used');
    }
    if (row.clientId !== clientId || row.redirectUri !== redirectUri) {
      throw new AccountError('invalid-grant', 'The authorization code was issued to another client or redirect URI');
    }
    if (!PKCE_VALUE.test(codeVerifier) || s256(codeVerifier) !== row.codeChallenge) {
      throw new AccountError('invalid-grant', 'The code_verifier does not match the code_challenge (PKCE S256)');
    }
    return { ...row, patient: row.patient ?? undefined };
  }
}

/** BASE64URL(SHA256(ASCII(code_verifier))), RFC 7636 section 4.2. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
