import type { Context, Next } from 'koa';
import { DocumentRejectedError, type RejectionReason } from '../../domain/documents/document-rejected-error';
import { badRequest, OutcomeError, payloadTooLarge, serverError, unsupportedMediaType } from '../../fhir/outcomes';
import { outcomeErrorOf } from '../../fhir/storage-outcomes';

export interface ErrorLogger {
  error(message: string, details: Record<string, unknown>): void;
}

/**
 * The one place errors become responses: OutcomeErrors are sent as they are, storage
 * conditions get their FHIR meaning, anything else is a logged 500 with a generic outcome.
 */
export function outcomeErrors(logger: ErrorLogger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      const outcomeError = toOutcomeError(error);
      if (outcomeError.status >= 500) {
        logger.error('Unhandled error', {
          requestId: ctx.state.requestId,
          path: ctx.path,
          error: String((error as Error)?.stack ?? error),
        });
      }
      if (outcomeError.status === 401) {
        // RFC 6750 section 3: a 401 names the scheme, and why a presented token failed.
        ctx.set('WWW-Authenticate', ctx.state.invalidToken ? 'Bearer realm="medbuddy", error="invalid_token"' : 'Bearer realm="medbuddy"');
      }
      ctx.status = outcomeError.status;
      ctx.type = 'application/fhir+json; charset=utf-8';
      ctx.body = JSON.stringify(outcomeError.outcome);
    }
  };
}

const REJECTIONS: Record<RejectionReason, (text: string) => OutcomeError> = {
  'too-large': payloadTooLarge,
  empty: badRequest,
  'content-type': unsupportedMediaType,
  'file-name': badRequest,
  interrupted: badRequest,
};

function toOutcomeError(error: unknown): OutcomeError {
  const known = outcomeErrorOf(error);
  if (known) {
    return known;
  }
  if (error instanceof DocumentRejectedError) {
    return REJECTIONS[error.reason](error.message);
  }
  const status = (error as { status?: number; expose?: boolean })?.status;
  if (status && status >= 400 && status < 500 && (error as { expose?: boolean }).expose) {
    return new OutcomeError(badRequest((error as Error).message).outcome, status);
  }
  return serverError();
}
