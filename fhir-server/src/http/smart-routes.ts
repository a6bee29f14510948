import { randomBytes, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { accessContextFor } from '../auth/access-context';
import { parseScopes, narrowScopes } from '../auth/scopes';
import { smartConfiguration, type OAuthUris } from '../auth/smart-configuration';
import { AccountError } from '../domain/accounts/account-errors';
import { AuthorizationCodes, isValidCodeChallenge } from '../domain/accounts/authorization-codes';
import { ClientAssertionVerifier, JWT_BEARER_ASSERTION } from '../domain/accounts/client-assertion';
import { isRegisteredRedirect } from '../domain/accounts/client-registry';
import type { SecurityServices } from '../security-services';
import type { AccountRow, ClientRow } from '../storage/account-store';
import type { FhirRepository } from '../storage/fhir-repository';
import { escapeHtml, renderLoginPage, renderMessagePage } from './login-page';
import { sendAccountErrorAsOAuth, sendOAuthError } from './oauth-errors';
import { readParams } from './request-params';

export interface SmartRoutesOptions {
  readonly security: SecurityServices;
  readonly uris: OAuthUris;
  /** The FHIR base URL: the only accepted `aud`. */
  readonly fhirBaseUrl: string;
  readonly fhirBasePath: string;
  /** Storage, to check a clinician's care relationship with the patient they launch with. */
  readonly repo: FhirRepository;
}

const CSRF_COOKIE = 'mb_csrf';
const AUTHORIZE_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'aud',
  'code_challenge',
  'code_challenge_method',
] as const;

/**
 * SMART App Launch 2.x and Backend Services over OAuth2: discovery, authorization code with
 * PKCE S256 and a server-rendered sign-in/consent page, the token endpoint (authorization_code,
 * refresh_token, client_credentials with private_key_jwt), revocation, introspection, JWKS.
 */
export function smartRoutes(options: SmartRoutesOptions): Router {
  const { security, uris } = options;
  const codes = new AuthorizationCodes(security.store);
  const assertions = new ClientAssertionVerifier(security.store, uris.token);
  const router = new Router();

  const discovery = (ctx: Context) => {
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.vary('Origin');
    ctx.body = smartConfiguration(uris);
  };
  router.get(`${options.fhirBasePath}/.well-known/smart-configuration`, discovery);
  router.get('/.well-known/smart-configuration', discovery);

  router.get('/oauth2/jwks', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.vary('Origin');
    ctx.body = { keys: [security.signer.publicJwk] };
  });

  router.get('/oauth2/authorize', async (ctx) => {
    const params = Object.fromEntries(new URLSearchParams(ctx.querystring));
    const request = await validateAuthorize(ctx, params);
    if (!request) {
      return;
    }
    const csrf = randomBytes(32).toString('base64url');
    ctx.cookies.set(CSRF_COOKIE, csrf, { httpOnly: true, sameSite: 'strict', path: '/oauth2', secure: ctx.secure, overwrite: true });
    sendLoginPage(ctx, request, csrf);
  });

  router.post('/oauth2/authorize', async (ctx) => {
    const params = await readParams(ctx);
    const request = await validateAuthorize(ctx, params);
    if (!request) {
      return;
    }
    if (!sameSecret(ctx.cookies.get(CSRF_COOKIE), params.csrf_token)) {
      ctx.state.audit = { action: 'login', outcome: 'failure', detail: 'CSRF token missing or wrong', clientId: request.client.id };
      ctx.status = 403;
      ctx.type = 'html';
      ctx.body = renderMessagePage(
        'Request refused',
        'This sign-in form has expired or did not come from MedBuddy. Go back to the app and start again.',
      );
      return;
    }
    if (params.decision === 'deny') {
      redirectWith(ctx, request.redirectUri, { error: 'access_denied', state: request.state });
      return;
    }
    let account: AccountRow;
    try {
      account = await security.accounts.login(params.email ?? '', params.password ?? '');
    } catch (error) {
      if (!(error instanceof AccountError)) {
        throw error;
      }
      ctx.state.audit = { action: 'login', outcome: 'failure', clientId: request.client.id };
      ctx.status = 401;
      sendLoginPage(ctx, request, params.csrf_token, error.message, params.email);
      return;
    }
    ctx.state.audit = { action: 'login', outcome: 'success', accountId: account.id, profile: account.profile, clientId: request.client.id };
    const patient = await launchPatient(account, request.scope, params.patient);
    if (patient === null) {
      ctx.status = 403;
      sendLoginPage(ctx, request, params.csrf_token, 'That patient is not one of yours (no appointment or encounter).', params.email);
      return;
    }
    const code = await codes.issue({
      clientId: request.client.id,
      accountId: account.id,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scope: request.scope,
      patient,
    });
    redirectWith(ctx, request.redirectUri, { code, state: request.state });
  });

  router.post('/oauth2/token', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    const params = await readParams(ctx);
    try {
      switch (params.grant_type) {
        case 'authorization_code':
          ctx.body = await authorizationCodeGrant(ctx, params);
          break;
        case 'refresh_token': {
          const { response, accountId } = await security.tokens.refresh(params.refresh_token ?? '', params.client_id);
          ctx.state.audit = { action: 'token-refresh', outcome: 'success', accountId, clientId: params.client_id };
          ctx.body = response;
          break;
        }
        case 'client_credentials':
          ctx.body = await clientCredentialsGrant(ctx, params);
          break;
        default:
          sendOAuthError(
            ctx,
            params.grant_type ? 'unsupported_grant_type' : 'invalid_request',
            'grant_type must be authorization_code, refresh_token or client_credentials',
          );
      }
    } catch (error) {
      if (!(error instanceof AccountError)) {
        throw error;
      }
      ctx.state.audit = {
        action: `token-${params.grant_type ?? 'unknown'}`,
        outcome: 'failure',
        clientId: params.client_id,
        detail: error.message,
      };
      sendAccountErrorAsOAuth(ctx, error);
    }
  });

  router.post('/oauth2/revoke', async (ctx) => {
    const params = await readParams(ctx);
    if (!params.token) {
      sendOAuthError(ctx, 'invalid_request', 'token is required');
      return;
    }
    await security.tokens.revoke(params.token);
    ctx.state.audit = { action: 'token-revoke', outcome: 'success', clientId: params.client_id };
    // RFC 7009 section 2.2: 200 whether or not the token was valid.
    ctx.status = 200;
    ctx.body = {};
  });

  router.post('/oauth2/introspect', async (ctx) => {
    // RFC 7662 section 2.1: the caller must itself be authorised (any valid access token).
    if (!ctx.state.principal || ctx.state.principal.kind === 'anonymous') {
      sendOAuthError(ctx, 'invalid_client', 'Introspection needs a bearer token');
      return;
    }
    const params = await readParams(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = params.token ? await security.tokens.introspect(params.token) : { active: false };
  });

  interface AuthorizeRequest {
    readonly client: ClientRow;
    readonly redirectUri: string;
    readonly scope: string;
    readonly state: string;
    readonly codeChallenge: string;
    readonly hidden: Record<string, string>;
  }

  /**
   * RFC 6749 section 4.1.2.1: an unknown client or redirect URI is shown on a page (never
   * redirected to); every other error goes back to the app's redirect URI with `state`.
   */
  async function validateAuthorize(ctx: Context, params: Record<string, string>): Promise<AuthorizeRequest | undefined> {
    const client = params.client_id ? await security.clients.find(params.client_id) : undefined;
    const redirectUri = params.redirect_uri ?? '';
    if (!client || client.kind !== 'public' || !isRegisteredRedirect(client, redirectUri)) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = renderMessagePage('Unknown application', 'The application or its return address is not registered with MedBuddy.');
      return undefined;
    }
    const state = params.state ?? '';
    const fail = (error: string, description: string) => {
      redirectWith(ctx, redirectUri, { error, error_description: description, state: state || undefined });
      return undefined;
    };
    if (params.response_type !== 'code') {
      return fail('unsupported_response_type', 'response_type must be code');
    }
    if (!state || state.length > 512) {
      return fail('invalid_request', 'state is required');
    }
    if (params.code_challenge_method !== 'S256' || !isValidCodeChallenge(params.code_challenge ?? '')) {
      return fail('invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256');
    }
    if ((params.aud ?? '').replace(/\/+$/, '') !== options.fhirBaseUrl) {
      return fail('invalid_request', `aud must be this FHIR server: ${options.fhirBaseUrl}`);
    }
    const scope = narrowScopes(params.scope ?? '', client.scope);
    if (!scope) {
      return fail('invalid_scope', 'None of the requested scopes can be granted to this application');
    }
    const hidden: Record<string, string> = {};
    for (const field of AUTHORIZE_FIELDS) {
      if (params[field] !== undefined) {
        hidden[field] = params[field];
      }
    }
    return { client, redirectUri, scope, state, codeChallenge: params.code_challenge, hidden };
  }

  function sendLoginPage(ctx: Context, request: AuthorizeRequest, csrf: string, error?: string, email?: string): void {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    // No scripts; the form may post here and then redirect to the app; never framed (clickjacking).
    ctx.set(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${new URL(request.redirectUri).origin}; frame-ancestors 'none'; base-uri 'none'`,
    );
    ctx.body = renderLoginPage({
      clientName: request.client.name,
      scopes: request.scope.split(' '),
      hidden: request.hidden,
      csrfToken: csrf,
      error,
      email,
      askPatient: parseScopes(request.scope).launchPatient,
    });
  }

  /**
   * The patient in launch context: a patient's own record; for a clinician the patient they
   * name, only within a care relationship (null: refused); none without `launch/patient`.
   */
  async function launchPatient(account: AccountRow, scope: string, requested: string | undefined): Promise<string | undefined | null> {
    if (!parseScopes(scope).launchPatient) {
      return undefined;
    }
    if (account.role === 'patient') {
      return account.profile?.replace(/^Patient\//, '');
    }
    const patientId = requested?.trim();
    if (!patientId) {
      return undefined;
    }
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(patientId) || account.role !== 'doctor') {
      return null;
    }
    const access = accessContextFor({
      kind: 'user',
      accountId: account.id,
      role: account.role,
      profile: account.profile ?? undefined,
      clientId: 'authorize',
      scopes: parseScopes('user/Patient.r'),
    });
    const visible = await options.repo.withAccess(access).readCurrent('Patient', patientId);
    return visible && !visible.deleted ? patientId : null;
  }

  async function authorizationCodeGrant(ctx: Context, params: Record<string, string>) {
    const clientId = params.client_id ?? '';
    const client = await security.clients.find(clientId);
    if (!client || client.kind !== 'public') {
      throw new AccountError('invalid-client', 'Unknown client_id');
    }
    const grant = await codes.redeem(params.code ?? '', clientId, params.redirect_uri ?? '', params.code_verifier ?? '');
    const account = await security.store.findAccount(grant.accountId);
    if (!account) {
      throw new AccountError('invalid-grant', 'The account no longer exists');
    }
    const scopes = parseScopes(grant.scope);
    ctx.state.audit = { action: 'token-authorization_code', outcome: 'success', accountId: account.id, profile: account.profile, clientId };
    return security.tokens.issueForAccount(account, clientId, grant.scope, {
      patient: grant.patient,
      withRefresh: scopes.offlineAccess || scopes.granted.includes('online_access'),
    });
  }

  async function clientCredentialsGrant(ctx: Context, params: Record<string, string>) {
    if (params.client_assertion_type !== JWT_BEARER_ASSERTION || !params.client_assertion) {
      throw new AccountError(
        'invalid-client',
        `client_credentials needs client_assertion_type=${JWT_BEARER_ASSERTION} and a client_assertion`,
      );
    }
    const client = await assertions.verify(params.client_assertion, (id) => security.clients.find(id));
    const scope = narrowScopes(params.scope ?? '', client.scope);
    if (!scope) {
      throw new AccountError('invalid-scope', 'None of the requested scopes is registered for this client');
    }
    ctx.state.audit = { action: 'token-client_credentials', outcome: 'success', clientId: client.id };
    return security.tokens.issueForClient(client.id, scope);
  }

  return router;
}

function redirectWith(ctx: Context, redirectUri: string, params: Record<string, string | undefined>): void {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) {
      url.searchParams.set(name, value);
    }
  }
  ctx.status = 303;
  ctx.redirect(url.toString());
  ctx.body = `Redirecting to ${escapeHtml(url.origin)}`;
}

function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) {
    return false;
  }
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
