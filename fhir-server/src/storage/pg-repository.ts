import type { Resource } from '@medplum/fhirtypes';
import { allResourceTypes, createSearchParameterCatalog, type SearchParameterCatalog } from '../definitions';
import type { FhirRepository, HistoryQuery, NewVersion, Page, StoredVersion } from './fhir-repository';
import { historyPage } from './history-sql';
import { indexRowWrites, replaceIndexRows } from './index-writes';
import { extractIndexRows } from './indexing/extract-index-rows';
import type { IndexRows } from './indexing/index-rows';
import { patientCompartments } from './patient-compartments';
import { enqueueReindex, readReindexJob, runReindexBatch, type IndexResource, type ReindexStatus } from './reindex-jobs';
import { ReindexWorker } from './reindex-worker';
import type { SearchQuery } from './search-query';
import { runSearch } from './search-sql/builder';
import { SEARCH_PARAMETER_VERSIONS_SQL, SearchParameterSync } from './search-parameter-sync';
import type { SqlExecutor } from './sql-executor';
import { ConcurrentWriteError, isRetryableSqlError, isUniqueViolation } from './storage-errors';
import { toStoredVersion, VERSION_COLUMNS, type VersionRow } from './version-row';

const MAX_TRANSACTION_ATTEMPTS = 5;

export interface PgRepositoryOptions {
  /** The search parameters to index by; its custom layer follows the database. */
  readonly catalog?: SearchParameterCatalog;
  /** This server's FHIR base URL: absolute references below it are indexed as local. */
  readonly baseUrl?: string;
}

/** State shared by a repository and the transaction-scoped repositories it creates. */
interface SearchIndexing {
  readonly catalog: SearchParameterCatalog;
  readonly sync: SearchParameterSync;
  readonly indexResource: IndexResource;
  readonly baseUrl: string | undefined;
  worker?: ReindexWorker;
}

/** FhirRepository on PostgreSQL or PGlite. */
export class PgRepository implements FhirRepository {
  private readonly indexing: SearchIndexing;
  /** Set when this transaction wrote a SearchParameter: after commit, reload and reindex. */
  private searchParameterWritten = false;

  constructor(
    private readonly db: SqlExecutor,
    options: PgRepositoryOptions = {},
    indexing?: SearchIndexing,
  ) {
    this.indexing = indexing ?? newIndexing(options.catalog ?? createSearchParameterCatalog(), options.baseUrl);
  }

  async readCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    const rows = await this.rows<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM resource WHERE resource_type = ? AND id = ?`, [
      resourceType,
      id,
    ]);
    return rows[0] && toStoredVersion(rows[0]);
  }

  async readVersion(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    const rows = await this.rows<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM resource_history WHERE resource_type = ? AND id = ? AND version_id = ?`,
      [resourceType, id, versionId],
    );
    return rows[0] && toStoredVersion(rows[0]);
  }

  async readMany(references: readonly { resourceType: string; id: string }[]): Promise<StoredVersion[]> {
    if (references.length === 0) {
      return [];
    }
    const rows = await this.rows<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM resource
       WHERE (resource_type, id) IN (SELECT * FROM json_to_recordset(?::json) AS r(resource_type text, id text))`,
      [JSON.stringify(references.map((r) => ({ resource_type: r.resourceType, id: r.id })))],
    );
    return rows.map(toStoredVersion);
  }

  /**
   * One statement: history row, current row (upsert), and the search index rows replaced,
   * using data-modifying CTEs so a write costs one round trip. The statement also reads the
   * SearchParameter version counter: if another process changed the parameters since this
   * one loaded them, the index rows are extracted again with the new ones.
   */
  async writeVersion(version: NewVersion): Promise<void> {
    const { resource, versionId, lastUpdated, method, deleted } = version;
    const type = resource.resourceType;
    const content = deleted ? '' : JSON.stringify(resource);
    const index: IndexRows | undefined = deleted ? undefined : this.extract(resource);
    const compartments = patientCompartments(resource, index);
    const parts: string[] = [
      `h AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, method, content, compartments)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?::text[]))`,
      `c AS (INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content, compartments)
             VALUES (?, ?, ?, ?, ?, ?, ?::text[])
             ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
               last_updated = excluded.last_updated, deleted = excluded.deleted, content = excluded.content,
               compartments = excluded.compartments
             WHERE resource.version_id < excluded.version_id)`,
    ];
    const bindings: unknown[] = [
      type,
      resource.id,
      versionId,
      lastUpdated,
      deleted,
      method,
      content,
      compartments,
      type,
      resource.id,
      versionId,
      lastUpdated,
      deleted,
      content,
      compartments,
    ];
    parts.push(...indexRowWrites(type, resource.id, index, versionId > 1, bindings));
    if (type === 'SearchParameter') {
      parts.push(`j AS (INSERT INTO reindex_job (resource_types) VALUES (?::text[]))`);
      bindings.push(await this.typesToReindex(resource, versionId));
    }
    let versions: number;
    try {
      const result = await this.db.raw<{ n: number }>(`WITH ${parts.join(',\n')} SELECT ${SEARCH_PARAMETER_VERSIONS_SQL} AS n`, bindings);
      versions = result.rows[0].n;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConcurrentWriteError();
      }
      throw error;
    }
    if (type === 'SearchParameter') {
      this.afterSearchParameterWrite();
    } else if ((await this.indexing.sync.observe(this.db, versions)) && !deleted) {
      await replaceIndexRows(this.db, [{ resourceType: type, id: resource.id, ...this.indexing.indexResource(resource) }]);
    }
  }

  history(query: HistoryQuery): Promise<Page> {
    return historyPage(this.db, query);
  }

  search(query: SearchQuery): Promise<Page> {
    return runSearch(this.db, query);
  }

  async syncSearchParameters(): Promise<void> {
    await this.indexing.sync.refresh(this.db);
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
        const result = await this.db.transaction((tx) => fn((inner = new PgRepository(tx, {}, this.indexing))));
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

  private extract(resource: Resource): IndexRows {
    return extractIndexRows(resource, this.indexing.catalog, { baseUrl: this.indexing.baseUrl });
  }

  private afterSearchParameterWrite(): void {
    if (this.db.inTransaction) {
      this.searchParameterWritten = true;
      return;
    }
    this.indexing.sync.invalidate();
    this.indexing.worker?.kick();
  }

  /** The resource types a SearchParameter applies to, before and after this write. */
  private async typesToReindex(resource: Resource, versionId: number): Promise<string[]> {
    const bases = new Set<string>(((resource as { base?: string[] }).base ?? []) as string[]);
    if (versionId > 1) {
      const previous = await this.readCurrent(resource.resourceType, resource.id as string);
      if (previous && !previous.deleted) {
        ((JSON.parse(previous.content) as { base?: string[] }).base ?? []).forEach((base) => bases.add(base));
      }
    }
    if (bases.has('Resource') || bases.has('DomainResource')) {
      return [...allResourceTypes()];
    }
    return [...bases];
  }

  private async rows<T>(sql: string, bindings: unknown[]): Promise<T[]> {
    return (await this.db.raw<T>(sql, bindings)).rows;
  }
}

function newIndexing(catalog: SearchParameterCatalog, baseUrl: string | undefined): SearchIndexing {
  const indexResource: IndexResource = (resource) => {
    const rows = extractIndexRows(resource, catalog, { baseUrl });
    return { rows, compartments: patientCompartments(resource, rows) };
  };
  return { catalog, sync: new SearchParameterSync(catalog), indexResource, baseUrl };
}
