import type { Appointment, Resource } from '@medplum/fhirtypes';
import { FULL_ACCESS, type AccessContext, type WriteInteraction } from '../auth/access-context';
import { allResourceTypes, createSearchParameterCatalog, type SearchParameterCatalog } from '../definitions';
import { overlappingBookings, replaceBookings, slotHolder } from './appointment-bookings';
import { readFilter, versionReadFilter } from './access-filter';
import { accessTags } from './access-tags';
import { auditEventRows, auditInsertCtes, type StorableAuditEvent } from './audit-sql';
import { CurrentReads } from './current-reads';
import type { AuditTrail } from './audit-trail';
import { WriteChecker, type VersionFacts } from './access-write-check';
import type { FhirRepository, HistoryQuery, NewVersion, Page, StoredVersion, SubscriptionEvent } from './fhir-repository';
import { historyPage } from './history-sql';
import { DeferredWrites } from './deferred-writes';
import { replaceIndexRows } from './index-writes';
import { extractIndexRows } from './indexing/extract-index-rows';
import type { IndexRows } from './indexing/index-rows';
import { patientCompartments } from './patient-compartments';
import { changeAuthor } from './resource-changes';
import { enqueueReindex, readReindexJob, runReindexBatch, type IndexResource, type ReindexStatus } from './reindex-jobs';
import { ReindexWorker } from './reindex-worker';
import type { SearchQuery } from './search-query';
import { runSearch } from './search-sql/run-search';
import { withDerivations } from './search-sql/reference-param';
import { SEARCH_PARAMETER_VERSIONS_SQL, SearchParameterSync } from './search-parameter-sync';
import { PREPARED_GENERIC, type RawOptions, type SqlExecutor } from './sql-executor';
import { AccessDeniedError, ConcurrentWriteError, isRetryableSqlError, isUniqueViolation } from './storage-errors';
import { toStoredVersion, VERSION_COLUMNS, versionColumnsOf, type VersionRow } from './version-row';
import { versionWriteCtes, type VersionWrite } from './version-writes';

const MAX_TRANSACTION_ATTEMPTS = 5;

/**
 * Types whose writes a transaction never holds back: an Appointment's booking ledger and a
 * SearchParameter's reindex job are written right after them.
 */
const HELD_BACK_NEVER: ReadonlySet<string> = new Set(['Appointment', 'SearchParameter']);

/** The coalesced reads by id of each connection pool (current-reads.ts). */
const currentReads = new WeakMap<SqlExecutor, CurrentReads>();

function currentReadsOf(db: SqlExecutor): CurrentReads {
  let reads = currentReads.get(db);
  if (!reads) {
    reads = new CurrentReads(db);
    currentReads.set(db, reads);
  }
  return reads;
}

export interface PgRepositoryOptions {
  /** The search parameters to index by; its custom layer follows the database. */
  readonly catalog?: SearchParameterCatalog;
  /** This server's FHIR base URL: absolute references below it are indexed as local. */
  readonly baseUrl?: string;
}

/** Search-index state shared by a repository and the repositories derived from it. */
interface SearchIndexing {
  readonly catalog: SearchParameterCatalog;
  readonly sync: SearchParameterSync;
  readonly indexResource: IndexResource;
  readonly baseUrl: string | undefined;
  worker?: ReindexWorker;
}

/**
 * FhirRepository on PostgreSQL or PGlite. Every instance is bound to an AccessContext: reads
 * and searches carry its SQL filter, writes are checked against its grants (STYLE.md rule 4).
 */
export class PgRepository implements FhirRepository {
  private writeChecker?: WriteChecker;
  private readonly indexing: SearchIndexing;
  /** Set when this transaction wrote a SearchParameter: after commit, reload and reindex. */
  private searchParameterWritten = false;

  constructor(
    private readonly db: SqlExecutor,
    readonly access: AccessContext = FULL_ACCESS,
    /** Told about every version read or written; supplies the AuditEvent stored with writes. */
    private readonly trail?: AuditTrail,
    indexing: PgRepositoryOptions | SearchIndexing = {},
  ) {
    this.indexing = 'sync' in indexing ? indexing : newIndexing(indexing.catalog ?? createSearchParameterCatalog(), indexing.baseUrl);
  }

  withAccess(access: AccessContext, trail?: AuditTrail): FhirRepository {
    return new PgRepository(this.db, access, trail, this.indexing);
  }

  /** This repository on another executor (a transaction opened by other storage code). */
  boundTo(db: SqlExecutor): PgRepository {
    return new PgRepository(db, this.access, this.trail, this.indexing);
  }

  get searchParameters(): SearchParameterCatalog {
    return this.indexing.catalog;
  }

  async readCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    const filter = readFilter(this.access, [resourceType]);
    if (!this.db.inTransaction) {
      const row = await currentReadsOf(this.db).read(resourceType, id, filter);
      return this.observed(row ? [toStoredVersion(row)] : [])[0];
    }
    const rows = await this.rows<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM resource WHERE resource_type = ? AND id = ?${filter ? ` AND ${filter.sql}` : ''}`,
      [resourceType, id, ...(filter?.bindings ?? [])],
      PREPARED_GENERIC,
    );
    return this.observed(rows.map(toStoredVersion))[0];
  }

  /** A past version is visible when the version and the resource as it is now both are (versionReadFilter). */
  async readVersion(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    // AuditEvents are immutable and stored without history rows (storage/audit-sql.ts).
    const historyless = resourceType === 'AuditEvent';
    const filter = historyless ? readFilter(this.access, [resourceType], 'h') : versionReadFilter(this.access, [resourceType], 'h', 'c');
    const from = historyless
      ? 'resource h'
      : `resource_history h${filter ? ' JOIN resource c ON c.resource_type = h.resource_type AND c.id = h.id' : ''}`;
    const rows = await this.rows<VersionRow>(
      `SELECT ${versionColumnsOf('h')} FROM ${from}
       WHERE h.resource_type = ? AND h.id = ? AND h.version_id = ?${filter ? ` AND ${filter.sql}` : ''}`,
      [resourceType, id, versionId, ...(filter?.bindings ?? [])],
      PREPARED_GENERIC,
    );
    return this.observed(rows.map(toStoredVersion))[0];
  }

  async readMany(references: readonly { resourceType: string; id: string }[]): Promise<StoredVersion[]> {
    if (references.length === 0) {
      return [];
    }
    const filter = readFilter(this.access, [...new Set(references.map((r) => r.resourceType))]);
    const rows = await this.rows<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM resource
       WHERE (resource_type, id) IN (SELECT * FROM json_to_recordset(?::json) AS r(resource_type text, id text))${filter ? ` AND ${filter.sql}` : ''}`,
      [JSON.stringify(references.map((r) => ({ resource_type: r.resourceType, id: r.id }))), ...(filter?.bindings ?? [])],
      PREPARED_GENERIC,
    );
    return this.observed(rows.map(toStoredVersion));
  }

  /** The search index rows of a resource, as writes store them. */
  /** The CTEs storing a write's AuditEvent in the write's own statement or transaction. */
  private auditCtes(audit: StorableAuditEvent, prefix: string): { parts: string[]; bindings: unknown[] } {
    return auditInsertCtes([auditEventRows(audit, (event) => this.extractIndex(event))], prefix);
  }

  extractIndex(resource: Resource): IndexRows {
    return extractIndexRows(resource, this.indexing.catalog, { baseUrl: this.indexing.baseUrl });
  }

  /** Reports versions to the audit trail (deletions and all) and hands them on. */
  private observed<T extends StoredVersion>(versions: T[]): T[] {
    if (this.trail && versions.length > 0) {
      this.trail.read(versions.map((v) => ({ resourceType: v.resourceType, id: v.id, compartments: v.compartments ?? [] })));
    }
    return versions;
  }

  /**
   * One statement: history row, current row (upsert), search index rows replaced and the
   * outbox row, as data-modifying CTEs (versionWriteCtes), so a write costs one round trip.
   * In a transaction, writes of full-access callers are held back and stored together
   * (DeferredWrites). The statement also reads the SearchParameter version counter: if another
   * process changed the parameters since this one loaded them, the index rows are extracted again.
   */
  async writeVersion(version: NewVersion): Promise<void> {
    const { resource, versionId, deleted } = version;
    const type = resource.resourceType;
    if (type === 'Appointment' && !this.db.inTransaction) {
      // The booking ledger is written with the appointment, all or nothing.
      return this.transaction((repo) => repo.writeVersion(version));
    }
    const index: IndexRows | undefined = deleted ? undefined : this.extractIndex(resource);
    // A deletion keeps the compartments of the version it deletes, so its history stays with the same callers.
    const compartments = deleted
      ? await this.currentCompartments(type, resource.id)
      : patientCompartments(resource, index, this.indexing.catalog);
    const tags = deleted ? [] : accessTags(resource);
    if (!this.access.unrestricted) {
      await this.checkWrite(version, { resourceType: type, id: resource.id, compartments, accessTags: tags });
    }
    this.trail?.wrote({ resourceType: type, id: resource.id, compartments });
    const write: VersionWrite = { ...version, compartments, accessTags: tags, index, author: changeAuthor(type, this.access) };
    // Restricted callers' writes stay immediate: a failure then names the resource they may not write.
    if (this.db instanceof DeferredWrites && this.access.unrestricted && !HELD_BACK_NEVER.has(type)) {
      return this.db.defer(write);
    }
    const bindings: unknown[] = [];
    const parts = versionWriteCtes([write], bindings);
    if (type === 'SearchParameter') {
      parts.push(`j AS (INSERT INTO reindex_job (resource_types) VALUES (?::text[]))`);
      bindings.push(await this.typesToReindex(resource, versionId));
    }
    // Outside a transaction the write is this one statement: its AuditEvent goes in it too.
    const audit = this.db.inTransaction ? undefined : this.trail?.eventForWrites();
    if (audit) {
      const ctes = this.auditCtes(audit, 'audit_');
      parts.push(...ctes.parts);
      bindings.push(...ctes.bindings);
    }
    const versions = await this.executeWrite(this.db, parts, bindings, versionId === 1 && !this.access.unrestricted ? write : undefined);
    if (audit) {
      this.trail?.committed();
    }
    if (type === 'Appointment') {
      await replaceBookings(this.db, resource.id, deleted ? undefined : (resource as Appointment));
    }
    if (type === 'SearchParameter') {
      this.afterSearchParameterWrite();
    } else {
      await this.reindexIfParametersChanged(this.db, versions, [write]);
    }
  }

  /** Stores the writes a transaction held back (DeferredWrites), in one statement. */
  private async storeWrites(db: SqlExecutor, writes: readonly VersionWrite[]): Promise<void> {
    const bindings: unknown[] = [];
    const parts = versionWriteCtes(writes, bindings);
    const versions = await this.executeWrite(db, parts, bindings);
    await this.reindexIfParametersChanged(db, versions, writes);
  }

  /**
   * Runs a write statement; returns the SearchParameter version counter it read. `restrictedCreate`:
   * the write of a restricted caller creating a resource, named when its id is taken.
   */
  private async executeWrite(
    db: SqlExecutor,
    parts: readonly string[],
    bindings: unknown[],
    restrictedCreate?: VersionWrite,
  ): Promise<number> {
    try {
      const result = await db.raw<{ n: number }>(
        `WITH ${parts.join(',\n')} SELECT ${SEARCH_PARAMETER_VERSIONS_SQL} AS n`,
        bindings,
        PREPARED_GENERIC,
      );
      return result.rows[0].n;
    } catch (error) {
      if (isUniqueViolation(error)) {
        // A restricted caller creating at an id it cannot see: the id is taken by a hidden resource.
        throw restrictedCreate
          ? new AccessDeniedError(`Not permitted to write ${restrictedCreate.resource.resourceType}/${restrictedCreate.resource.id}`)
          : new ConcurrentWriteError();
      }
      throw error;
    }
  }

  /** When the search parameters changed since they were loaded, indexes these writes again with the new ones. */
  private async reindexIfParametersChanged(db: SqlExecutor, versions: number, writes: readonly VersionWrite[]): Promise<void> {
    if (await this.indexing.sync.observe(db, versions)) {
      const stored = writes.filter((w) => !w.deleted);
      await replaceIndexRows(
        db,
        stored.map((w) => ({ resourceType: w.resource.resourceType, id: w.resource.id, ...this.indexing.indexResource(w.resource) })),
      );
    }
  }

  async history(query: HistoryQuery): Promise<Page> {
    const page = await historyPage(this.db, query, this.access);
    this.observed([...page.entries]);
    return page;
  }

  async search(query: SearchQuery): Promise<Page> {
    const page = await runSearch(this.db, withDerivations(query, this.indexing.catalog), this.access);
    this.observed([...page.entries]);
    return page;
  }

  async syncSearchParameters(options?: { readonly maxAgeMs?: number }): Promise<void> {
    await this.indexing.sync.refresh(this.db, options?.maxAgeMs);
  }

  /**
   * Queues a reindex of these resource types and works on it in this process for up to
   * `waitMs`; what is left is finished by the background worker of any process.
   */
  async reindex(resourceTypes: readonly string[], waitMs: number): Promise<ReindexStatus> {
    const job = await enqueueReindex(this.db, resourceTypes);
    const deadline = Date.now() + waitMs;
    let status: ReindexStatus = job;
    while (!status.done && Date.now() < deadline) {
      await this.syncSearchParameters();
      const batch = await runReindexBatch(this.db, this.indexing.indexResource, job.id);
      if (!batch) {
        // Another worker holds the job for a batch; look again shortly.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      status = batch ?? (await readReindexJob(this.db, job.id)) ?? status;
    }
    return status;
  }

  overlappingBookings(patient: string, start: string, end: string, except?: string): Promise<string[]> {
    return overlappingBookings(this.db, patient, start, end, except);
  }

  slotHolder(slotId: string): Promise<string | undefined> {
    return slotHolder(this.db, slotId);
  }

  async subscriptionEvents(subscriptionId: string, afterNumber: number, count: number): Promise<SubscriptionEvent[]> {
    const rows = await this.rows<{ event_number: string; resource: string; version_id: number; status: string }>(
      `SELECT (payload->>'eventNumber')::bigint AS event_number, payload->>'resource' AS resource,
              (payload->>'versionId')::int AS version_id, status
       FROM notification_job WHERE group_key = ? AND payload->>'eventNumber' IS NOT NULL AND (payload->>'eventNumber')::bigint > ?
       ORDER BY 1 LIMIT ?`,
      [`Subscription/${subscriptionId}`, afterNumber, count],
    );
    return rows.map((r) => ({ eventNumber: Number(r.event_number), resource: r.resource, versionId: r.version_id, status: r.status }));
  }

  async lock(key: string): Promise<void> {
    if (!this.db.inTransaction) {
      throw new Error('lock() must be called inside transaction()');
    }
    await this.db.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [key]);
  }

  async transaction<T>(fn: (repo: FhirRepository) => Promise<T>): Promise<T> {
    if (this.db.inTransaction) {
      return fn(this);
    }
    for (let attempt = 1; ; attempt++) {
      let inner: PgRepository | undefined;
      try {
        const result = await this.db.transaction(async (tx) => {
          const deferred = new DeferredWrites(tx, (db, writes) => this.storeWrites(db, writes));
          const value = await fn((inner = new PgRepository(deferred, this.access, this.trail, this.indexing)));
          // The request's AuditEvent commits with its changes, or not at all.
          const audit = this.trail?.eventForWrites();
          if (audit) {
            const { parts, bindings } = this.auditCtes(audit, 'a');
            await deferred.raw(`WITH ${parts.join(',\n')} SELECT 1`, bindings, PREPARED_GENERIC);
          }
          await deferred.flush();
          return value;
        });
        this.trail?.committed();
        if (inner?.searchParameterWritten) {
          this.afterSearchParameterWrite();
        }
        return result;
      } catch (error) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableSqlError(error)) {
          throw error;
        }
      }
    }
  }

  /** Starts the background reindex worker of this process (see ReindexWorker). */
  startReindexWorker(onError: (error: unknown) => void, intervalMs?: number): void {
    this.indexing.worker = new ReindexWorker(this.db, this.indexing.indexResource, () => this.syncSearchParameters(), onError, intervalMs);
    this.indexing.worker.start();
    this.indexing.worker.kick();
  }

  async stopReindexWorker(): Promise<void> {
    await this.indexing.worker?.stop();
  }

  private afterSearchParameterWrite(): void {
    if (this.db.inTransaction) {
      this.searchParameterWritten = true;
      return;
    }
    this.indexing.sync.invalidate();
    this.indexing.worker?.kick();
  }

  /** The resource types a SearchParameter applies to, before and after this write (read unfiltered). */
  private async typesToReindex(resource: Resource, versionId: number): Promise<string[]> {
    const bases = new Set<string>(((resource as { base?: string[] }).base ?? []) as string[]);
    if (versionId > 1) {
      const previous = await this.rows<{ content: string; deleted: boolean }>(
        'SELECT content, deleted FROM resource WHERE resource_type = ? AND id = ?',
        [resource.resourceType, resource.id],
      );
      if (previous[0] && !previous[0].deleted) {
        ((JSON.parse(previous[0].content) as { base?: string[] }).base ?? []).forEach((base) => bases.add(base));
      }
    }
    if (bases.has('Resource') || bases.has('DomainResource')) {
      return [...allResourceTypes()];
    }
    return [...bases];
  }

  private async currentCompartments(resourceType: string, id: string): Promise<string[]> {
    const rows = await this.rows<{ compartments: string[] }>('SELECT compartments FROM resource WHERE resource_type = ? AND id = ?', [
      resourceType,
      id,
    ]);
    return rows[0]?.compartments ?? [];
  }

  /** The version being replaced (read unfiltered: the check itself decides) and the new one. */
  private async checkWrite(version: NewVersion, after: VersionFacts): Promise<void> {
    let before: VersionFacts | undefined;
    if (version.versionId > 1) {
      const rows = await this.rows<{ compartments: string[]; access_tags: string[]; deleted: boolean }>(
        'SELECT compartments, access_tags, deleted FROM resource WHERE resource_type = ? AND id = ?',
        [after.resourceType, after.id],
      );
      if (rows[0] && !rows[0].deleted) {
        before = { resourceType: after.resourceType, id: after.id, compartments: rows[0].compartments, accessTags: rows[0].access_tags };
      }
    }
    const interaction: WriteInteraction = version.deleted ? 'd' : before ? 'u' : 'c';
    this.writeChecker ??= new WriteChecker(this.db, this.access);
    await this.writeChecker.check(interaction, before, version.deleted ? undefined : after);
  }

  private async rows<T>(sql: string, bindings: unknown[], options?: RawOptions): Promise<T[]> {
    return (await this.db.raw<T>(sql, bindings, options)).rows;
  }
}

function newIndexing(catalog: SearchParameterCatalog, baseUrl: string | undefined): SearchIndexing {
  const indexResource: IndexResource = (resource) => {
    const rows = extractIndexRows(resource, catalog, { baseUrl });
    return { rows, compartments: patientCompartments(resource, rows, catalog) };
  };
  return { catalog, sync: new SearchParameterSync(catalog), indexResource, baseUrl };
}
