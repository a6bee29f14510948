import { AccessDeniedError, ConcurrentWriteError, InvalidSearchError, StatementTimeoutError } from '../storage/storage-errors';
import { badRequest, conflict, forbidden, OutcomeError, tooCostly } from './outcomes';

/**
 * The FHIR answer to an error: an OutcomeError as it is, a storage condition the caller can act
 * on as its OperationOutcome; undefined for anything else (a server fault). Shared by the HTTP
 * error middleware and by what answers per item (batch entries, bulk import lines).
 */
export function outcomeErrorOf(error: unknown): OutcomeError | undefined {
  if (error instanceof OutcomeError) {
    return error;
  }
  if (error instanceof ConcurrentWriteError) {
    return conflict(error.message);
  }
  if (error instanceof AccessDeniedError) {
    return forbidden(error.message);
  }
  if (error instanceof InvalidSearchError) {
    return badRequest(error.message);
  }
  if (error instanceof StatementTimeoutError) {
    return tooCostly(error.message);
  }
  return undefined;
}
