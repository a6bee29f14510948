import type { Resource } from '@medplum/fhirtypes';
import { FULL_ACCESS, type AccessContext, type WriteInteraction } from '../auth/access-context';
import { readFilter } from './access-filter';
import { accessTags } from './access-tags';
import { auditInsertCtes } from './audit-sql';
import type { AuditTrail } from './audit-trail';
import { WriteChecker, type VersionFacts } from './access-write-check';
import type { FhirRepository, HistoryQuery, NewVersion, Page, StoredVersion } from './fhir-repository';
import { historyPage } from './history-sql';
import { extractIndexRows } from './indexing/extract-index-rows';
import { patientCompartments } from './patient-compartments';
import { INDEX_COLUMNS, INDEX_TABLES, type IndexRows } from './indexing/index-rows';
import type { SearchQuery } from './search-query';
import { runSearch } from './search-sql/builder';
import type { SqlExecutor } from './sql-executor';
import { AccessDeniedError, ConcurrentWriteError, isRetryableSqlError, isUniqueViolation } from './storage-errors';
import { toStoredVersion, VERSION_COLUMNS, type VersionRow } from './version-row';

const MAX_TRANSACTION_ATTEMPTS = 5;

/**
 * FhirRepository on PostgreSQL or PGlite. Every instance is bound to an AccessContext: reads
 * and searches carry its SQL filter, writes are checked against its grants (STYLE.md rule 4).
 */
export class PgRepository implements FhirRepository {
  private writeChecker?: WriteChecker;

  constructor(
    private readonly db: SqlExecutor,
    readonly access: AccessContext = FULL_ACCESS,
    /** Told about every version read or written; supplies the AuditEvent stored with writes. */
    private readonly trail?: AuditTrail,
  ) {}

  withAccess(access: AccessContext, trail?: AuditTrail): FhirRepository {
    return new PgRepository(this.db, access, trail);
  }

  async readCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    const filter = readFilter(this.access, [resourceType]);
    const rows = await this.rows<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM resource WHERE resource_type = ? AND id = ?${filter ? ` AND ${filter.sql}` : ''}`,
      [resourceType, id, ...(filter?.bindings ?? [])],
    );
    return this.observed(rows.map(toStoredVersion))[0];
  }

  async readVersion(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    const filter = readFilter(this.access, [resourceType]);
    const rows = await this.rows<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM ${versionTable(resourceType)} WHERE resource_type = ? AND id = ? AND version_id = ?${filter ? ` AND ${filter.sql}` : ''}`,
      [resourceType, id, versionId, ...(filter?.bindings ?? [])],
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
    );
    return this.observed(rows.map(toStoredVersion));
  }

  /** The search index rows of a resource, as writes store them. */
  extractIndex(resource: Resource): IndexRows {
    return extractIndexRows(resource);
  }

  /** Reports versions to the audit trail (deletions and all) and hands them on. */
  private observed<T extends StoredVersion>(versions: T[]): T[] {
    if (this.trail && versions.length > 0) {
      this.trail.read(versions.map((v) => ({ resourceType: v.resourceType, id: v.id, compartments: v.compartments ?? [] })));
    }
    return versions;
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
    const tags = deleted ? [] : accessTags(resource);
    if (!this.access.unrestricted) {
      await this.checkWrite(version, { resourceType: type, id: resource.id, compartments, accessTags: tags });
    }
    const parts: string[] = [
      `h AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, method, content, compartments, access_tags)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?::text[], ?::text[]))`,
      `c AS (INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content, compartments, access_tags)
             VALUES (?, ?, ?, ?, ?, ?, ?::text[], ?::text[])
             ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
               last_updated = excluded.last_updated, deleted = excluded.deleted, content = excluded.content,
               compartments = excluded.compartments, access_tags = excluded.access_tags
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
      tags,
      type,
      resource.id,
      versionId,
      lastUpdated,
      deleted,
      content,
      compartments,
      tags,
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
    this.trail?.wrote({ resourceType: type, id: resource.id, compartments });
    // Outside a transaction the write is this one statement: its AuditEvent goes in it too.
    const audit = this.db.inTransaction ? undefined : this.trail?.eventForWrites();
    if (audit) {
      const ctes = auditInsertCtes([audit], 'audit_', (event) => this.extractIndex(event));
      parts.push(...ctes.parts);
      bindings.push(...ctes.bindings);
    }
    try {
      await this.db.raw(`WITH ${parts.join(',\n')} SELECT 1`, bindings);
      if (audit) {
        this.trail?.committed();
      }
    } catch (error) {
      if (isUniqueViolation(error)) {
        // A restricted caller creating at an id it cannot see: the id is taken by a hidden resource.
        throw versionId === 1 && !this.access.unrestricted
          ? new AccessDeniedError(`Not permitted to write ${type}/${resource.id}`)
          : new ConcurrentWriteError();
      }
      throw error;
    }
  }

  async history(query: HistoryQuery): Promise<Page> {
    const page = await historyPage(this.db, query, this.access);
    this.observed([...page.entries]);
    return page;
  }

  async search(query: SearchQuery): Promise<Page> {
    const page = await runSearch(this.db, query, this.access);
    this.observed([...page.entries]);
    return page;
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
        const result = await this.db.transaction(async (tx) => {
          const value = await fn(new PgRepository(tx, this.access, this.trail));
          // The request's AuditEvent commits with its changes, or not at all.
          const audit = this.trail?.eventForWrites();
          if (audit) {
            const { parts, bindings } = auditInsertCtes([audit], 'a', (event) => this.extractIndex(event));
            await tx.raw(`WITH ${parts.join(',\n')} SELECT 1`, bindings);
          }
          return value;
        });
        this.trail?.committed();
        return result;
      } catch (error) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableSqlError(error)) {
          throw error;
        }
      }
    }
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

  private async rows<T>(sql: string, bindings: unknown[]): Promise<T[]> {
    return (await this.db.raw<T>(sql, bindings)).rows;
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

/** AuditEvents are immutable and stored without history rows (storage/audit-sql.ts). */
function versionTable(resourceType: string): string {
  return resourceType === 'AuditEvent' ? 'resource' : 'resource_history';
}
