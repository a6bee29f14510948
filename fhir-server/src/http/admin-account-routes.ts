import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Principal, Role } from '../auth/principal';
import type { AccountRow } from '../storage/account-store';
import { badRequest, forbidden, notFound, unauthorized } from '../fhir/outcomes';
import type { SecurityServices } from '../security-services';

const ROLES: readonly Role[] = ['patient', 'doctor', 'admin'];
const MAX_RESULTS = 50;
const ACCOUNT_ID = /^[0-9a-f-]{36}$/;

/** What an administrator sees of an account (never the password hash or tokens). */
export interface AccountSummary {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly profile: string | null;
  readonly emailVerified: boolean;
  readonly disabled: boolean;
}

/**
 * `/admin/accounts`: administrators find accounts by e-mail and role, disable and re-enable
 * them, and resend the verification e-mail. Everyone else gets a 401 (no token) or 403
 * OperationOutcome. Each change is an AuditEvent (ctx.state.audit).
 */
export function adminAccountRoutes(security: SecurityServices): Router {
  const router = new Router({ prefix: '/admin/accounts' });
  router.use(requireAdministrator);

  router.param('id', async (id, _ctx, next) => {
    if (!ACCOUNT_ID.test(id)) {
      throw notFound(`No account ${id}`);
    }
    return next();
  });

  router.get('/', async (ctx) => {
    const email = typeof ctx.query.email === 'string' ? ctx.query.email : '';
    const role = typeof ctx.query.role === 'string' && ctx.query.role ? ctx.query.role : undefined;
    if (email.length > 254) {
      throw badRequest('email: at most 254 characters');
    }
    if (role !== undefined && !ROLES.includes(role as Role)) {
      throw badRequest(`role must be one of ${ROLES.join(', ')}`);
    }
    const accounts = await security.accounts.findAccounts(email, role as Role | undefined, MAX_RESULTS);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { accounts: accounts.map(summary) };
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    router.post(`/:id/${action}`, async (ctx) => {
      const id = ctx.params.id as string;
      if (disabled && callerAccountId(ctx) === id) {
        throw badRequest('You cannot disable your own account');
      }
      const account = await security.accounts.setDisabled(id, disabled);
      if (!account) {
        throw notFound(`No account ${id}`);
      }
      ctx.state.audit = { action: `account-${action}`, outcome: 'success', accountId: id, profile: account.profile ?? undefined };
      ctx.body = summary(account);
    });
  }

  router.post('/:id/resend-verification', async (ctx) => {
    const id = ctx.params.id as string;
    const sent = await security.accounts.resendVerification(id);
    if (sent === undefined) {
      throw notFound(`No account ${id}`);
    }
    if (!sent) {
      throw badRequest('This account has already confirmed its e-mail address');
    }
    ctx.state.audit = { action: 'resend-verification', outcome: 'success', accountId: id };
    ctx.status = 202;
    ctx.body = { message: 'Verification e-mail sent.' };
  });

  return router;
}

async function requireAdministrator(ctx: Context, next: Next): Promise<void> {
  const principal = (ctx.state.principal as Principal | undefined) ?? { kind: 'anonymous' };
  if (principal.kind === 'anonymous') {
    throw unauthorized('Sign in as an administrator');
  }
  if (principal.kind !== 'user' || principal.role !== 'admin') {
    throw forbidden('Only administrators manage accounts');
  }
  await next();
}

function callerAccountId(ctx: Context): string | undefined {
  const principal = ctx.state.principal as Principal;
  return principal.kind === 'user' ? principal.accountId : undefined;
}

function summary(account: AccountRow): AccountSummary {
  return {
    id: account.id,
    email: account.email,
    role: account.role,
    profile: account.profile,
    emailVerified: account.emailVerified,
    disabled: account.disabledAt !== null,
  };
}
