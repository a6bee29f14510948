import type { FhirRepository, HistoryQuery, NewVersion, Page, StoredVersion } from './fhir-repository';
import { historyPage } from './history-sql';
import { extractIndexRows } from './indexing/extract-index-rows';
import { patientCompartments } from './patient-compartments';
import { INDEX_COLUMNS, INDEX_TABLES, type IndexRows } from './indexing/index-rows';
import type { SearchQuery } from './search-query';
import { runSearch } from './search-sql/builder';
import type { RawOptions, SqlExecutor } from './sql-executor';
import { ConcurrentWriteError, isRetryableSqlError, isUniqueViolation } from './storage-errors';
import { toStoredVersion, VERSION_COLUMNS, type VersionRow } from './version-row';

const MAX_TRANSACTION_ATTEMPTS = 5;
/** Fixed-shape hot statements: prepared once per connection on PostgreSQL. */
const PREPARED: RawOptions = { prepare: true };
const READ_CURRENT = `SELECT ${VERSION_COLUMNS} FROM resource WHERE resource_type = ? AND id = ?`;
const READ_VERSION = `SELECT ${VERSION_COLUMNS} FROM resource_history WHERE resource_type = ? AND id = ? AND version_id = ?`;

/** FhirRepository on PostgreSQL or PGlite through knex. */
export class PgRepository implements FhirRepository {
  constructor(private readonly db: SqlExecutor) {}

  async readCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    const rows = await this.rows<VersionRow>(READ_CURRENT, [resourceType, id], PREPARED);
    return rows[0] && toStoredVersion(rows[0]);
  }

  async readVersion(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    const rows = await this.rows<VersionRow>(READ_VERSION, [resourceType, id, versionId], PREPARED);
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
   * using data-modifying CTEs so a write costs one round trip.
   */
  async writeVersion(version: NewVersion): Promise<void> {
    const { resource, versionId, lastUpdated, method, deleted } = version;
    const type = resource.resourceType;
    const content = deleted ? '' : JSON.stringify(resource);
    const index: IndexRows | undefined = deleted ? undefined : extractIndexRows(resource);
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
    for (const table of INDEX_TABLES) {
      if (versionId > 1) {
        parts.push(`d_${table} AS (DELETE FROM sp_${table} WHERE resource_type = ? AND resource_id = ?)`);
        bindings.push(type, resource.id);
      }
      const rows = index?.[table];
      if (rows && rows.length > 0) {
        const columns = INDEX_COLUMNS[table];
        parts.push(
          `i_${table} AS (INSERT INTO sp_${table} (resource_type, resource_id, ${columns.join(', ')})
             SELECT ?, ?, ${columns.map((c) => `x.${c}`).join(', ')}
             FROM json_to_recordset(?::json) AS x(${columns.map((c) => `${c} ${sqlTypeOf(table, c)}`).join(', ')}))`,
        );
        bindings.push(type, resource.id, JSON.stringify(rows));
      }
    }
    try {
      await this.db.raw(`WITH ${parts.join(',\n')} SELECT 1`, bindings, PREPARED);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConcurrentWriteError();
      }
      throw error;
    }
  }

  history(query: HistoryQuery): Promise<Page> {
    return historyPage(this.db, query);
  }

  search(query: SearchQuery): Promise<Page> {
    return runSearch(this.db, query);
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
      try {
        return await this.db.transaction((tx) => fn(new PgRepository(tx)));
      } catch (error) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableSqlError(error)) {
          throw error;
        }
      }
    }
  }

  private async rows<T>(sql: string, bindings: unknown[], options?: RawOptions): Promise<T[]> {
    return (await this.db.raw<T>(sql, bindings, options)).rows;
  }
}

function sqlTypeOf(table: string, column: string): string {
  if (table === 'date' && (column === 'low' || column === 'high')) {
    return 'timestamptz';
  }
  if ((table === 'number' || table === 'quantity') && (column === 'low' || column === 'high')) {
    return 'numeric';
  }
  return 'text';
}
