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
