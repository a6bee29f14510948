import type { Context, Next } from 'koa';
import koaJwt from 'koa-jwt';
import { ANONYMOUS, type Principal } from '../../auth/principal';
import { principalFromClaims, type AccessTokenClaims } from '../../auth/token-claims';
import { SIGNING_ALG } from '../../domain/accounts/token-signer';
import { unauthorized } from '../../fhir/outcomes';

export interface AuthenticateOptions {
  /** SPKI PEM of the token signing key. */
  readonly publicKeyPem: string;
  readonly issuer: string;
  readonly audience: string;
  /** The token was revoked, or its account disabled. */
  isRevoked(claims: AccessTokenClaims): boolean;
  /**
   * Paths where a bad token makes the caller anonymous instead of failing (the OAuth2 and
   * account endpoints: signing out with an expired token still revokes its refresh token).
   */
  lenient?(path: string): boolean;
}

const CACHE_SIZE = 10_000;

/**
 * Bearer token -> `ctx.state.principal` (anonymous without a token). Tokens are verified by
 * koa-jwt (ES256 only, issuer and audience checked, so `alg: none`, another key, another
 * audience and expired tokens all fail with 401). A verified token is remembered until it
 * expires, so a client reusing its token pays the signature check once, not per request.
 */
export function authenticate(options: AuthenticateOptions) {
  const verifyJwt = koaJwt({
    secret: options.publicKeyPem,
    algorithms: [SIGNING_ALG],
    issuer: options.issuer,
    audience: options.audience,
    passthrough: true,
    key: 'tokenClaims',
    getToken: (ctx) => (ctx.state.bearerToken as string | undefined) ?? null,
  });
  const verified = new Map<string, { claims: AccessTokenClaims; principal: Principal }>();
  return async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get('Authorization');
    if (!header) {
      ctx.state.principal = ANONYMOUS;
      return next();
    }
    const token = /^Bearer\s+([A-Za-z0-9\-_.]+)$/i.exec(header)?.[1];
    if (!token) {
      throw invalidToken(ctx, 'The Authorization header must be "Bearer <access token>"');
    }
    if (options.lenient?.(ctx.path)) {
      try {
        return await authenticated(ctx, token, next);
      } catch (error) {
        if (!ctx.state.invalidToken) {
          throw error;
        }
        ctx.state.invalidToken = false;
        ctx.state.principal = ANONYMOUS;
        return next();
      }
    }
    return authenticated(ctx, token, next);
  };

  async function authenticated(ctx: Context, token: string, next: Next): Promise<void> {
    let entry = verified.get(token);
    if (!entry || entry.claims.exp * 1000 <= Date.now()) {
      verified.delete(token);
      ctx.state.tokenClaims = undefined;
      ctx.state.bearerToken = token;
      await verifyJwt(ctx, async () => undefined);
      const claims = ctx.state.tokenClaims as AccessTokenClaims | undefined;
      const principal = claims && principalFromClaims(claims);
      if (!claims || !principal || ctx.state.jwtOriginalError) {
        throw invalidToken(ctx, 'The access token is invalid or expired');
      }
      entry = { claims, principal };
      if (verified.size >= CACHE_SIZE) {
        verified.delete(verified.keys().next().value as string);
      }
      verified.set(token, entry);
    }
    if (options.isRevoked(entry.claims)) {
      throw invalidToken(ctx, 'The access token has been revoked');
    }
    ctx.state.principal = entry.principal;
    ctx.state.accessTokenJti = entry.claims.jti;
    return next();
  }
}

function invalidToken(ctx: Context, text: string) {
  ctx.state.invalidToken = true;
  return unauthorized(text);
}
