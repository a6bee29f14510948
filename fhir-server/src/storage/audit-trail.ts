import type { StorableAuditEvent } from './audit-sql';

/** A resource version a request touched, with the Patient compartments it is in. */
export interface TouchedVersion {
  readonly resourceType: string;
  readonly id: string;
  readonly compartments: readonly string[];
}

/**
 * What a request-bound repository tells the audit trail (domain/audit/request-audit.ts
 * implements it): every version read or written. For writes it asks for the AuditEvent to
 * store in the same SQL statement or transaction, so the change and its audit record commit
 * (or roll back) together.
 */
export interface AuditTrail {
  read(versions: readonly TouchedVersion[]): void;
  wrote(version: TouchedVersion): void;
  /** The AuditEvent for the writes so far not yet covered by one, to store with them; else undefined. */
  eventForWrites(): StorableAuditEvent | undefined;
  /** The writes and the event from the last eventForWrites() committed. */
  committed(): void;
}
