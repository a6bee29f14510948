/**
 * Errors the storage layer raises for conditions its callers can act on. fhir/ does not see
 * SQL error codes; the HTTP error middleware maps these to OperationOutcomes.
 */
export class ConcurrentWriteError extends Error {
  constructor(message = 'The resource was changed by a concurrent request; retry') {
    super(message);
    this.name = 'ConcurrentWriteError';
  }
}

/** Raised when a search cannot be run as asked (e.g. a cursor that does not decode). */
export class InvalidSearchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSearchError';
  }
}

/** A statement ran past the database's statement timeout and was cancelled (the HTTP layer answers 400 too-costly). */
export class StatementTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(
      `The request was stopped after ${timeoutMs / 1000} s of database work to protect the server; ` +
        'narrow it (more selective search parameters, no _total=accurate) and retry',
    );
    this.name = 'StatementTimeoutError';
  }
}

/** PostgreSQL's error for a statement cancelled by `statement_timeout` (57014 is also a manual cancel). */
export function isStatementTimeout(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return code === '57014' && /statement timeout/.test(message ?? '');
}

const RETRYABLE_SQL_STATES = new Set(['40001', '40P01']);

export function isRetryableSqlError(error: unknown): boolean {
  return RETRYABLE_SQL_STATES.has((error as { code?: string })?.code ?? '');
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}

/** A write the AccessContext does not permit (the HTTP layer answers 403). */
export class AccessDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}
