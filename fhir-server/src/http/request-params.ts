import type { Context } from 'koa';
import { badRequest } from '../fhir/outcomes';
import { readRequestBody } from './request-body';

const LIMITS = { maxBytes: 64 * 1024, maxDepth: 8 };

/**
 * The string parameters of an /auth or /oauth2 request: a form (as OAuth2 requires) or a flat
 * JSON object; non-string JSON values are ignored. Bodies are small and capped at 64 KiB.
 */
export async function readParams(ctx: Context): Promise<Record<string, string>> {
  const contentType = ctx.get('Content-Type') ? ctx.request.type.toLowerCase() : undefined;
  const body = await readRequestBody(ctx.req, contentType, LIMITS);
  const params: Record<string, string> = Object.create(null);
  if (body.form) {
    for (const [name, value] of body.form) {
      if (name in params) {
        // RFC 6749 section 3.1: parameters must not be repeated.
        throw badRequest(`Parameter ${name} is repeated`);
      }
      params[name] = value;
    }
  } else if (body.json !== undefined) {
    if (typeof body.json !== 'object' || body.json === null || Array.isArray(body.json)) {
      throw badRequest('The request body must be a JSON object');
    }
    for (const [name, value] of Object.entries(body.json)) {
      if (typeof value === 'string') {
        params[name] = value;
      }
    }
  }
  return params;
}
