import type { Context, Next } from 'koa';
import { ANONYMOUS, type Principal } from '../../auth/principal';
import { buildAuditEvent } from '../../domain/audit/audit-event';
import type { RequestAudit } from '../../domain/audit/request-audit';
import type { StorableAuditEvent } from '../../storage/audit-sql';

/** A security action a route records in `ctx.state.audit` (login, token issue, password reset...). */
export interface SecurityAction {
  readonly action: string;
  readonly outcome: 'success' | 'failure';
  readonly accountId?: string;
  readonly profile?: string | null;
  readonly clientId?: string;
  readonly detail?: string;
}

/**
 * One AuditEvent per request, after the response status is known: the FHIR request's trail
 * (RequestAudit, unless storage already stored its event with the writes) or the security
 * action a route recorded. Events go to the background writer (storage/audit-writer.ts).
 */
export function auditEvents(enqueue: (event: StorableAuditEvent) => void) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } finally {
      const trail = ctx.state.requestAudit as RequestAudit | undefined;
      const final = trail?.finalEvent(ctx.status);
      if (final) {
        enqueue(final);
      }
      const action = ctx.state.audit as SecurityAction | undefined;
      if (action) {
        enqueue(securityEvent(ctx, action));
      }
    }
  };
}

function securityEvent(ctx: Context, action: SecurityAction): StorableAuditEvent {
  const principal = (ctx.state.principal as Principal | undefined) ?? ANONYMOUS;
  const profile = action.profile ?? undefined;
  const patients = profile?.startsWith('Patient/') ? [profile] : [];
  const event = buildAuditEvent({
    principal,
    recorded: new Date(),
    interaction: { security: action.action },
    status: action.outcome === 'failure' && ctx.status < 400 ? 401 : ctx.status,
    requestId: ctx.state.requestId as string,
    sourceIp: ctx.ip,
    resources: [],
    patients,
    subject: { accountId: action.accountId, profile, clientId: action.clientId },
    detail: action.detail,
  });
  return { event, patients };
}
