import type { Context, Next } from 'koa';
import type { Registry } from 'prom-client';

/** One dependency readiness waits for: resolves when it is usable now. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface HealthOptions {
  readonly checks: readonly ReadinessCheck[];
  readonly registry: Registry;
  /** A check that has not answered within this is failed. */
  readonly timeoutMs: number;
  /** True once shutdown has begun: readiness fails so load balancers stop sending requests. */
  readonly draining: () => boolean;
}

/**
 * `GET /healthz` (the process is alive), `GET /readyz` (every dependency answers; 503 with the
 * failing ones otherwise, and while draining) and `GET /metrics` (Prometheus text format).
 * Mounted before authentication and rate limits: probes carry no token and come often.
 */
export function healthRoutes(options: HealthOptions) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      return next();
    }
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
    } else if (ctx.path === '/readyz') {
      const results = await Promise.all(
        options.checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), options.timeoutMs);
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, `failed: ${(error as Error)?.message ?? String(error)}`] as const;
          }
        }),
      );
      const checks = Object.fromEntries(results);
      const ready = !options.draining() && results.every(([, result]) => result === 'ok');
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: ready ? 'ready' : options.draining() ? 'draining' : 'not ready', checks };
    } else if (ctx.path === '/metrics') {
      ctx.type = options.registry.contentType;
      ctx.body = await options.registry.metrics();
    } else {
      return next();
    }
  };
}

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
