import type { Resource } from '@medplum/fhirtypes';
import type { AccessContext } from '../auth/access-context';
import type { SearchParameterCatalog } from '../definitions';
import type { AuditTrail } from './audit-trail';
import type { ReindexStatus } from './reindex-jobs';
import type { SearchQuery } from './search-query';

export type { ReindexStatus } from './reindex-jobs';

/** Lock key that serialises read-modify-write of one resource (FhirRepository.lock). */
export function resourceLockKey(resourceType: string, id: string): string {
  return `resource:${resourceType}/${id}`;
}

/** One numbered event of a Subscription: the version written that matched it. */
export interface SubscriptionEvent {
  readonly eventNumber: number;
  /** `Appointment/1` */
  readonly resource: string;
  readonly versionId: number;
  /** pending | sent | skipped | cancelled | dead */
  readonly status: string;
}

/** One stored version of a resource, as the database holds it. */
export interface StoredVersion {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: number;
  /** ISO 8601 instant. */
  readonly lastUpdated: string;
  readonly deleted: boolean;
  /** The resource JSON text, meta.versionId and meta.lastUpdated included (empty for a delete). */
  readonly content: string;
  /** The Patient compartments (`Patient/<id>`) this version belongs to, when storage read them. */
  readonly compartments?: readonly string[];
  /** The interaction that wrote it, when storage read it (history does). */
  readonly method?: WriteMethod;
}

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface NewVersion {
  /** The resource with id, meta.versionId and meta.lastUpdated already set. */
  readonly resource: Resource & { id: string };
  readonly versionId: number;
  readonly lastUpdated: string;
  readonly method: WriteMethod;
  readonly deleted: boolean;
}

export interface HistoryQuery {
  readonly resourceType?: string;
  readonly id?: string;
  /** ISO instant: only versions updated after it (http://hl7.org/fhir/R4/http.html#history). */
  readonly since?: string;
  /** ISO instant: only versions updated before it. */
  readonly at?: string;
  readonly count: number;
  /** Opaque cursor from the previous page. */
  readonly cursor?: string;
}

export interface Page {
  readonly entries: readonly StoredVersion[];
  /** Cursor for the next page, if there is one. */
  readonly nextCursor?: string;
  /** Cursor for the previous page (search only), if there is one. */
  readonly prevCursor?: string;
  readonly total?: number;
}

/**
 * The storage port of the FHIR layer. It knows versions, history, search indexes and locks;
 * it does not know FHIR REST semantics (those live in fhir/interactions).
 */
export interface FhirRepository {
  /**
   * This repository seen through an AccessContext: every read, search and history is
   * filtered, and every write checked, for that principal. The app binds one per request,
   * with the request's audit trail, which hears of every version read or written.
   */
  withAccess(access: AccessContext, trail?: AuditTrail): FhirRepository;

  /** The current version (possibly a deletion), or undefined if the id never existed. */
  readCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined>;

  /** A specific version (http://hl7.org/fhir/R4/http.html#vread). */
  readVersion(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined>;

  /** Several current versions at once, in no particular order; missing ids are left out. */
  readMany(references: readonly { resourceType: string; id: string }[]): Promise<StoredVersion[]>;

  /** Stores a new version: history row, current row and search index rows, atomically. */
  writeVersion(version: NewVersion): Promise<void>;

  history(query: HistoryQuery): Promise<Page>;

  /** http://hl7.org/fhir/R4/search.html: current resources matching a parsed search, one page. */
  search(query: SearchQuery): Promise<Page>;

  /**
   * Brings the search parameters in force up to date with the SearchParameter resources
   * stored by any server process. Called before a search is parsed. With `maxAgeMs`, a check
   * of the database made that recently is trusted (this process's own writes of
   * SearchParameters always take effect at once).
   */
  syncSearchParameters(options?: { readonly maxAgeMs?: number }): Promise<void>;

  /**
   * The search parameters in force (R4, profiles, custom ones stored in the database): the
   * catalog this repository indexes with, which search parsing reads too.
   */
  readonly searchParameters: SearchParameterCatalog;

  /**
   * Re-extracts the search index rows of the resources of these types (after a
   * SearchParameter change), working on it for up to `waitMs` before returning its status;
   * the rest continues in the background.
   */
  reindex(resourceTypes: readonly string[], waitMs: number): Promise<ReindexStatus>;

  /**
   * Ids of the patient's (`Patient/<id>`) active appointments whose period overlaps
   * [start, end), leaving out `except`: read from the booking ledger every Appointment write
   * keeps, unfiltered (the caller decides what to tell whom).
   */
  overlappingBookings(patient: string, start: string, end: string, except?: string): Promise<string[]>;

  /** The id of the active Appointment holding a slot, if any (the booking ledger, unfiltered). */
  slotHolder(slotId: string): Promise<string | undefined>;

  /**
   * The events numbered for a Subscription after `afterNumber` (delivered, pending or failed),
   * oldest first, at most `count`: what a client that missed deliveries asks for (`$events`).
   */
  subscriptionEvents(subscriptionId: string, afterNumber: number, count: number): Promise<SubscriptionEvent[]>;

  /**
   * Serialises writers on a key until the surrounding transaction ends (a transaction-scoped
   * advisory lock). Used for read-modify-write on one resource and for conditional creates.
   */
  lock(key: string): Promise<void>;

  /**
   * Runs fn in one database transaction (all or nothing). Nested calls join the outer
   * transaction. Serialization failures and deadlocks are retried a bounded number of times.
   */
  transaction<T>(fn: (repo: FhirRepository) => Promise<T>): Promise<T>;
}
