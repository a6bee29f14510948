import { INDEX_COLUMNS, INDEX_TABLES, indexColumnType, type IndexRows, type IndexTable } from './indexing/index-rows';
import type { SqlExecutor } from './sql-executor';

/** The search index rows of one resource. */
export interface ResourceIndexRows {
  readonly resourceType: string;
  readonly id: string;
  readonly rows: IndexRows | undefined;
}

export interface ResourceIndex extends ResourceIndexRows {
  readonly rows: IndexRows;
  readonly compartments: readonly string[];
}

/**
 * Data-modifying CTEs inserting the index rows of many resources: one JSON binding per table,
 * read by json_to_recordset. Appends its bindings to `bindings`; the caller joins the parts
 * into one `WITH` statement.
 */
export function indexInsertCtes(entries: readonly ResourceIndexRows[], bindings: unknown[]): string[] {
  const parts: string[] = [];
  // One resource (a write outside a transaction) binds its type and id once, not in every row.
  const single = entries.length === 1 ? entries[0] : undefined;
  for (const table of INDEX_TABLES) {
    const rows = single
      ? (single.rows?.[table] ?? [])
      : entries.flatMap((e) => (e.rows?.[table] ?? []).map((row) => ({ ...row, resource_type: e.resourceType, resource_id: e.id })));
    if (rows.length === 0) {
      continue;
    }
    const columns = INDEX_COLUMNS[table];
    const keys = single ? '?, ?' : 'x.resource_type, x.resource_id';
    const keyTypes = single ? '' : 'resource_type text, resource_id text, ';
    parts.push(
      `i_${table} AS (INSERT INTO sp_${table} (resource_type, resource_id, ${columns.join(', ')})
         SELECT ${keys}, ${columns.map((c) => `x.${c}`).join(', ')}
         FROM json_to_recordset(?::json) AS x(${keyTypes}${columnTypes(table)}))`,
    );
    bindings.push(...(single ? [single.resourceType, single.id] : []), JSON.stringify(rows));
  }
  return parts;
}

/** CTEs deleting the index rows of the resources listed by the CTE `keys` (columns resource_type, id). */
export function indexDeleteCtes(keys: string): string[] {
  return INDEX_TABLES.map(
    (table) => `d_${table} AS (DELETE FROM sp_${table} s USING ${keys} k WHERE s.resource_type = k.resource_type AND s.resource_id = k.id)`,
  );
}

/** Replaces the index rows and compartments of many resources in one statement (reindexing). */
export async function replaceIndexRows(db: SqlExecutor, entries: readonly ResourceIndex[]): Promise<void> {
  if (entries.length === 0) {
    return;
  }
  const keys = JSON.stringify(entries.map((e) => ({ resource_type: e.resourceType, id: e.id, compartments: e.compartments })));
  const bindings: unknown[] = [keys];
  const parts = [
    `k AS (SELECT * FROM json_to_recordset(?::json) AS k(resource_type text, id text, compartments text[]))`,
    `c AS (UPDATE resource r SET compartments = k.compartments FROM k WHERE r.resource_type = k.resource_type AND r.id = k.id)`,
    ...indexDeleteCtes('k'),
    ...indexInsertCtes(entries, bindings),
  ];
  await db.raw(`WITH ${parts.join(',\n')} SELECT 1`, bindings);
}

const typeCache = new Map<IndexTable, string>();

function columnTypes(table: IndexTable): string {
  let types = typeCache.get(table);
  if (!types) {
    types = INDEX_COLUMNS[table].map((c) => `${c} ${indexColumnType(table, c)}`).join(', ');
    typeCache.set(table, types);
  }
  return types;
}
