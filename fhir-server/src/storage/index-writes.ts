import { INDEX_COLUMNS, INDEX_TABLES, indexColumnType, type IndexRows, type IndexTable } from './indexing/index-rows';
import type { SqlExecutor } from './sql-executor';

/**
 * Data-modifying CTEs that replace the index rows of one resource: delete the old rows (when
 * it may have some) and insert the new ones from one JSON binding per table. Appends its
 * bindings to `bindings`; the caller joins the parts into one `WITH` statement.
 */
export function indexRowWrites(
  resourceType: string,
  id: string,
  rows: IndexRows | undefined,
  deleteOld: boolean,
  bindings: unknown[],
): string[] {
  const parts: string[] = [];
  for (const table of INDEX_TABLES) {
    if (deleteOld) {
      parts.push(`d_${table} AS (DELETE FROM sp_${table} WHERE resource_type = ? AND resource_id = ?)`);
      bindings.push(resourceType, id);
    }
    const tableRows = rows?.[table];
    if (tableRows && tableRows.length > 0) {
      const columns = INDEX_COLUMNS[table];
      parts.push(
        `i_${table} AS (INSERT INTO sp_${table} (resource_type, resource_id, ${columns.join(', ')})
           SELECT ?, ?, ${columns.map((c) => `x.${c}`).join(', ')}
           FROM json_to_recordset(?::json) AS x(${columnTypes(table)}))`,
      );
      bindings.push(resourceType, id, JSON.stringify(tableRows));
    }
  }
  return parts;
}

export interface ResourceIndex {
  readonly resourceType: string;
  readonly id: string;
  readonly rows: IndexRows;
  readonly compartments: readonly string[];
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
  ];
  for (const table of INDEX_TABLES) {
    parts.push(`d_${table} AS (DELETE FROM sp_${table} s USING k WHERE s.resource_type = k.resource_type AND s.resource_id = k.id)`);
    const rows = entries.flatMap((e) => e.rows[table].map((row) => ({ ...row, resource_type: e.resourceType, resource_id: e.id })));
    if (rows.length > 0) {
      const columns = ['resource_type', 'resource_id', ...INDEX_COLUMNS[table]];
      parts.push(
        `i_${table} AS (INSERT INTO sp_${table} (${columns.join(', ')})
           SELECT ${columns.map((c) => `x.${c}`).join(', ')}
           FROM json_to_recordset(?::json) AS x(resource_type text, resource_id text, ${columnTypes(table)}))`,
      );
      bindings.push(JSON.stringify(rows));
    }
  }
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
