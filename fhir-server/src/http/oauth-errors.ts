import type { Context } from 'koa';
import type { AccountError } from '../domain/accounts/account-errors';
import { badRequest, forbidden, type OutcomeError, unauthorized } from '../fhir/outcomes';

const OAUTH_ERROR: Record<AccountError['code'], string> = {
  'invalid-input': 'invalid_request',
  'weak-password': 'invalid_request',
  'invalid-credentials': 'invalid_grant',
  'email-not-verified': 'invalid_grant',
  'invalid-token': 'invalid_grant',
  'invalid-grant': 'invalid_grant',
  'invalid-client': 'invalid_client',
  'invalid-scope': 'invalid_scope',
  'access-denied': 'access_denied',
};

/** An OAuth2 error response (RFC 6749 section 5.2): JSON, 400, or 401 for a failed client. */
export function sendOAuthError(ctx: Context, error: string, description: string): void {
  ctx.status = error === 'invalid_client' ? 401 : 400;
  if (error === 'invalid_client') {
    ctx.set('WWW-Authenticate', 'Bearer realm="medbuddy", error="invalid_client"');
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error, error_description: description };
}

export function sendAccountErrorAsOAuth(ctx: Context, error: AccountError): void {
  sendOAuthError(ctx, OAUTH_ERROR[error.code], error.message);
}

/** /auth/* answers failures as OperationOutcomes, like the rest of the API. */
export function accountErrorAsOutcome(error: AccountError): OutcomeError {
  switch (error.code) {
    case 'invalid-credentials':
    case 'invalid-client':
      return unauthorized(error.message);
    case 'email-not-verified':
    case 'access-denied':
      return forbidden(error.message);
    default:
      return badRequest(error.message);
  }
}
