import type { Context, Next } from 'koa';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from '../../auth/principal';
import { tooManyRequests } from '../../fhir/outcomes';

export interface RateLimitOptions {
  /** Requests per minute per principal (or per IP when anonymous). */
  readonly perMinute: number;
  /** Attempts per minute per IP on sign-in, registration and password-reset endpoints. */
  readonly authPerMinute: number;
  /** Shared counters for several instances; in memory without it. */
  readonly redisUrl?: string;
}

/** Endpoints where guessing is the attack: much stricter limits, by IP. */
const SENSITIVE = new Set([
  'POST /auth/login',
  'POST /auth/register',
  'POST /auth/forgot-password',
  'POST /auth/reset-password',
  'POST /oauth2/authorize',
  'POST /oauth2/token',
]);

export interface RateLimiter {
  readonly middleware: (ctx: Context, next: Next) => Promise<void>;
  close(): Promise<void>;
}

/**
 * Fixed-window rate limits (rate-limiter-flexible): in memory, or in Redis when REDIS_URL is
 * set so that all instances share the counts. If Redis is unreachable the in-memory limiter
 * takes over (insurance), so an outage neither blocks nor unthrottles traffic.
 */
export function rateLimiter(options: RateLimitOptions): RateLimiter {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : undefined;
  redis?.on('error', () => undefined);
  const make = (keyPrefix: string, points: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: 60 });
    return redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `medbuddy:${keyPrefix}`, points, duration: 60, insuranceLimiter: memory })
      : memory;
  };
  const general = make('rl', options.perMinute);
  const sensitive = make('rl-auth', options.authPerMinute);
  return {
    async middleware(ctx, next) {
      const isSensitive = SENSITIVE.has(`${ctx.method} ${ctx.path}`);
      const limiter = isSensitive ? sensitive : general;
      const key = isSensitive ? `ip:${ctx.ip}` : keyOf(ctx);
      try {
        const result = await limiter.consume(key);
        setHeaders(ctx, limiter.points, result);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          throw rejection;
        }
        setHeaders(ctx, limiter.points, rejection);
        ctx.set('Retry-After', String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))));
        throw tooManyRequests(`Too many requests; retry in ${Math.ceil(rejection.msBeforeNext / 1000)} s`);
      }
      await next();
    },
    async close() {
      redis?.disconnect();
    },
  };
}

function keyOf(ctx: Context): string {
  const principal = ctx.state.principal as Principal | undefined;
  if (principal?.kind === 'user') {
    return `account:${principal.accountId}`;
  }
  if (principal?.kind === 'client') {
    return `client:${principal.clientId}`;
  }
  return `ip:${ctx.ip}`;
}

function setHeaders(ctx: Context, limit: number, result: RateLimiterRes): void {
  ctx.set('RateLimit-Limit', String(limit));
  ctx.set('RateLimit-Remaining', String(Math.max(0, result.remainingPoints)));
  ctx.set('RateLimit-Reset', String(Math.ceil(result.msBeforeNext / 1000)));
}
