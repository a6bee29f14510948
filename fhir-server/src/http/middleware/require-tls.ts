import type { Context, Next } from 'koa';
import { forbidden } from '../../fhir/outcomes';

/**
 * In production the server speaks plain HTTP behind a TLS-terminating proxy (TRUST_PROXY=true):
 * a request that did not come through it (no `X-Forwarded-Proto: https`) is refused, so tokens
 * and health data never cross the network in clear text by mistake.
 */
export function requireTls() {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.protocol !== 'https') {
      throw forbidden('This server accepts HTTPS only: send requests through the TLS proxy (X-Forwarded-Proto: https)');
    }
    await next();
  };
}
