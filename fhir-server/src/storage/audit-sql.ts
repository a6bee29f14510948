import type { AuditEvent } from '@medplum/fhirtypes';
import { INDEX_COLUMNS, INDEX_TABLES, indexColumnType, type IndexRows, type IndexTable } from './indexing/index-rows';

/** An AuditEvent ready to store: id, meta set; `patients` are its Patient compartments. */
export interface StorableAuditEvent {
  readonly event: AuditEvent & { id: string };
  readonly patients: readonly string[];
}

/**
 * An AuditEvent as the insert reads it: its resource row and its index rows per table, each
 * already JSON text. Made per event, so that the AuditWriter can drop an event whose rows
 * cannot be made without losing the rest of its batch.
 */
export interface AuditEventRows {
  readonly resource: string;
  readonly index: Readonly<Partial<Record<IndexTable, readonly string[]>>>;
}

export function auditEventRows({ event, patients }: StorableAuditEvent, extract: (event: AuditEvent) => IndexRows): AuditEventRows {
  // The event travels as a JSON string inside the row and is stored as that text.
  const resource = JSON.stringify({ id: event.id, last_updated: event.meta?.lastUpdated, content: JSON.stringify(event), patients });
  const rows = extract(event);
  const index: Partial<Record<IndexTable, string[]>> = {};
  for (const table of INDEX_TABLES) {
    if (rows[table].length > 0) {
      index[table] = rows[table].map((row) => JSON.stringify({ ...row, resource_id: event.id }));
    }
  }
  return { resource, index };
}

/**
 * Data-modifying CTEs storing AuditEvents as version-1 resources with their search index
 * rows, several per statement. They get no history row: an AuditEvent never changes, and the
 * audit trail is not part of the change log (`_history` would otherwise grow by one entry
 * per read of it); vread of version 1 reads the current row (pg-repository.ts). AuditEvents are searched like any
 * resource (`date`, `agent`, `entity`, `patient`, `type`, `subtype`, `outcome`); their
 * compartments are the patients they concern, so access filters apply to them as well.
 */
export function auditInsertCtes(events: readonly AuditEventRows[], prefix: string): { parts: string[]; bindings: unknown[] } {
  // One JSON array per table, read by json_to_recordset in one pass. (Taking fields out of a
  // json element with -> parses its text again for each of them: twice the PostgreSQL CPU.)
  const parts = [
    `${prefix}r AS (INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content, compartments)
       SELECT 'AuditEvent', t.id, 1, t.last_updated, false, t.content, t.patients
       FROM json_to_recordset(?::json) AS t(id text, last_updated timestamptz, content text, patients text[]))`,
  ];
  const bindings: unknown[] = [`[${events.map((event) => event.resource).join(',')}]`];
  for (const table of INDEX_TABLES) {
    const indexRows = events.flatMap((event) => event.index[table] ?? []);
    if (indexRows.length === 0) {
      continue;
    }
    const columns = INDEX_COLUMNS[table];
    parts.push(
      `${prefix}i_${table} AS (INSERT INTO sp_${table} (resource_type, resource_id, ${columns.join(', ')})
         SELECT 'AuditEvent', y.resource_id, ${columns.map((c) => `y.${c}`).join(', ')}
         FROM json_to_recordset(?::json) AS y(resource_id text, ${columns.map((c) => `${c} ${indexColumnType(table, c)}`).join(', ')}))`,
    );
    bindings.push(`[${indexRows.join(',')}]`);
  }
  return { parts, bindings };
}
