import Router from '@koa/router';
import type { Context } from 'koa';
import { AccountError } from '../domain/accounts/account-errors';
import { CLINICIAN_PORTAL, PATIENT_PORTAL } from '../domain/accounts/client-registry';
import type { SecurityServices } from '../security-services';
import { escapeHtml, renderMessagePage } from './login-page';
import { accountErrorAsOutcome } from './oauth-errors';
import { readParams } from './request-params';

const USER_SCOPE = 'openid fhirUser offline_access user/*.cruds';
const ACCEPTED = { message: 'If the details are valid, we have sent an e-mail with the next step.' };

/**
 * The plain account endpoints of the original design, returning the same tokens as
 * /oauth2/token (for the portals' first-party sign-in). Failures are OperationOutcomes.
 */
export function authRoutes(security: SecurityServices): Router {
  const router = new Router({ prefix: '/auth' });

  router.post('/register', async (ctx) => {
    const p = await readParams(ctx);
    await guarded(ctx, 'register', () =>
      security.accounts.register({
        email: p.email ?? '',
        password: p.password ?? '',
        role: (p.role ?? 'patient') as 'patient' | 'doctor',
        givenName: p.givenName,
        familyName: p.familyName,
      }),
    );
    ctx.state.audit = { action: 'register', outcome: 'success' };
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.post('/login', async (ctx) => {
    const p = await readParams(ctx);
    const account = await guarded(ctx, 'login', () => security.accounts.login(p.email ?? '', p.password ?? ''));
    ctx.state.audit = { action: 'login', outcome: 'success', accountId: account.id, profile: account.profile };
    const clientId = account.role === 'patient' ? PATIENT_PORTAL : CLINICIAN_PORTAL;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await security.tokens.issueForAccount(
      account,
      clientId,
      account.role === 'patient' ? `${USER_SCOPE} launch/patient` : USER_SCOPE,
      {
        withRefresh: true,
      },
    );
  });

  router.post('/refresh', async (ctx) => {
    const p = await readParams(ctx);
    const { response, accountId } = await guarded(ctx, 'token-refresh', () => security.tokens.refresh(p.refresh_token ?? '', undefined));
    ctx.state.audit = { action: 'token-refresh', outcome: 'success', accountId };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = response;
  });

  router.post('/logout', async (ctx) => {
    const p = await readParams(ctx);
    if (p.refresh_token) {
      await security.tokens.revoke(p.refresh_token);
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
    if (bearer) {
      await security.tokens.revoke(bearer);
    }
    ctx.state.audit = { action: 'logout', outcome: 'success' };
    ctx.status = 204;
  });

  router.post('/verify-email', async (ctx) => {
    const p = await readParams(ctx);
    await guarded(ctx, 'verify-email', () => security.accounts.verifyEmail(p.token ?? ''));
    ctx.state.audit = { action: 'verify-email', outcome: 'success' };
    ctx.status = 204;
  });

  router.get('/verify-email', async (ctx) => {
    ctx.type = 'html';
    try {
      await security.accounts.verifyEmail(String(ctx.query.token ?? ''));
      ctx.state.audit = { action: 'verify-email', outcome: 'success' };
      ctx.body = renderMessagePage('E-mail confirmed', 'Your address is confirmed. You can now sign in.');
    } catch (error) {
      if (!(error instanceof AccountError)) {
        throw error;
      }
      ctx.status = 400;
      ctx.body = renderMessagePage('Link not valid', error.message);
    }
  });

  router.post('/forgot-password', async (ctx) => {
    const p = await readParams(ctx);
    await security.accounts.forgotPassword(p.email ?? '');
    ctx.state.audit = { action: 'forgot-password', outcome: 'success' };
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.get('/reset-password', (ctx) => {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>New password - MedBuddy</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 26rem; margin: 3rem auto"><h1>Choose a new password</h1>
<form method="post" action="/auth/reset-password"><input type="hidden" name="token" value="${escapeHtml(String(ctx.query.token ?? ''))}">
<label>New password (12 characters or more) <input type="password" name="password" minlength="12" required autocomplete="new-password"></label>
<button type="submit">Save</button></form></body></html>`;
  });

  router.post('/reset-password', async (ctx) => {
    const p = await readParams(ctx);
    const fromForm = ctx.request.type === 'application/x-www-form-urlencoded';
    try {
      await security.accounts.resetPassword(p.token ?? '', p.password ?? '');
    } catch (error) {
      if (fromForm && error instanceof AccountError) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = renderMessagePage('Password not changed', error.message);
        return;
      }
      throw error instanceof AccountError ? auditedFailure(ctx, 'reset-password', error) : error;
    }
    ctx.state.audit = { action: 'reset-password', outcome: 'success' };
    if (fromForm) {
      ctx.type = 'html';
      ctx.body = renderMessagePage('Password changed', 'Your password is changed. You can now sign in.');
    } else {
      ctx.status = 204;
    }
  });

  return router;
}

/** Runs an account operation; a refusal is audited and becomes an OperationOutcome. */
async function guarded<T>(ctx: Context, action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof AccountError ? auditedFailure(ctx, action, error) : error;
  }
}

function auditedFailure(ctx: Context, action: string, error: AccountError) {
  ctx.state.audit = { action, outcome: 'failure', detail: error.code };
  return accountErrorAsOutcome(error);
}
