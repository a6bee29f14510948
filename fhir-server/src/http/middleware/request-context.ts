import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';

export interface RequestLogger {
  info(message: string, details: Record<string, unknown>): void;
}

/** Request id (X-Request-Id, echoed or generated), security headers and one access-log line. */
export function requestContext(logger: RequestLogger | undefined) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = /^[A-Za-z0-9._-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      logger?.info('request', {
        requestId,
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    }
  };
}
