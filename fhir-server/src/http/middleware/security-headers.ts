import cors from '@koa/cors';
import type { Context, Middleware } from 'koa';
import helmet from 'koa-helmet';

/**
 * Security headers (koa-helmet: CSP, HSTS, frame-ancestors, no sniffing, referrer policy)
 * and CORS for an allow-list of browser origins (the portals). Tokens travel in headers,
 * never cookies, so no credentialed CORS is needed.
 */
export function securityHeaders(allowedOrigins: readonly string[]): Middleware[] {
  const allowed = new Set(allowedOrigins);
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: { 'frame-ancestors': ["'none'"], 'script-src': ["'none'"] },
      },
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
    onlyWithOrigin(
      cors({
        origin: (ctx: Context) => {
          const origin = ctx.get('Origin');
          return allowed.has(origin) ? origin : '';
        },
        allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowHeaders: [
          'Authorization',
          'Content-Type',
          'If-Match',
          'If-None-Match',
          'If-None-Exist',
          'If-Modified-Since',
          'Prefer',
          'X-Request-Id',
          'Range',
          'X-Security-Context',
        ],
        exposeHeaders: [
          'ETag',
          'Location',
          'Content-Location',
          'Last-Modified',
          'X-Request-Id',
          'WWW-Authenticate',
          'Retry-After',
          'X-Progress',
          'Content-Range',
          'Accept-Ranges',
        ],
        maxAge: 600,
      }),
    ),
  ];
}

/**
 * Runs CORS only for requests that carry an Origin (browsers); server-to-server calls skip
 * it. Every response is `Cache-Control: no-store`, so no cache needs `Vary: Origin` on them.
 */
function onlyWithOrigin(middleware: Middleware): Middleware {
  return (ctx, next) => (ctx.get('Origin') ? middleware(ctx, next) : next());
}
