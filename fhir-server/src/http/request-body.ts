import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { badRequest, payloadTooLarge, unsupportedMediaType } from '../fhir/outcomes';
import { parseJsonBody } from './json-body';

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json-patch+json']);
const FORM_TYPE = 'application/x-www-form-urlencoded';

export interface ParsedBody {
  /** Parsed JSON, for JSON content types. */
  readonly json?: unknown;
  /** Form parameters, for `POST [type]/_search`. */
  readonly form?: URLSearchParams;
}

export interface BodyLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
}

/**
 * Reads and parses a request body within the size limit, streaming: a body over the limit is
 * refused as soon as the limit is crossed (or at once from Content-Length).
 */
export async function readRequestBody(req: IncomingMessage, contentType: string | undefined, limits: BodyLimits): Promise<ParsedBody> {
  const declaredLength = req.headers['content-length'];
  const hasBody = (declaredLength !== undefined && declaredLength !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) {
    return {};
  }
  if (!contentType || (!JSON_TYPES.has(contentType) && contentType !== FORM_TYPE)) {
    throw unsupportedMediaType(`Content-Type ${contentType ?? '(none)'} is not supported; send application/fhir+json`);
  }
  const text = await readText(req, limits.maxBytes);
  if (contentType === FORM_TYPE) {
    return { form: new URLSearchParams(text) };
  }
  if (text.trim() === '') {
    return {};
  }
  return { json: parseJsonBody(text, limits.maxDepth) };
}

async function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  try {
    return await getRawBody(req, { limit: maxBytes, encoding: 'utf8' });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw payloadTooLarge(`The request body exceeds the limit of ${maxBytes} bytes`);
    }
    if (type === 'encoding.unsupported' || type === 'request.size.invalid') {
      throw badRequest(`The request body could not be read: ${(error as Error).message}`);
    }
    throw error;
  }
}
