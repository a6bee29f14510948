import type { AuditEvent } from '@medplum/fhirtypes';
import { INDEX_COLUMNS, INDEX_TABLES, indexColumnType, type IndexRows } from './indexing/index-rows';

/** An AuditEvent ready to store: id, meta set; `patients` are its Patient compartments. */
export interface StorableAuditEvent {
  readonly event: AuditEvent & { id: string };
  readonly patients: readonly string[];
}

/**
 * Data-modifying CTEs storing AuditEvents as version-1 resources with their search index
 * rows, several per statement. They get no history row: an AuditEvent never changes, and the
 * audit trail is not part of the change log (`_history` would otherwise grow by one entry
 * per read of it); vread of version 1 reads the current row (pg-repository.ts). AuditEvents are searched like any
 * resource (`date`, `agent`, `entity`, `patient`, `type`, `subtype`, `outcome`); their
 * compartments are the patients they concern, so access filters apply to them as well.
 */
export function auditInsertCtes(
  events: readonly StorableAuditEvent[],
  prefix: string,
  extract: (event: AuditEvent) => IndexRows,
): { parts: string[]; bindings: unknown[] } {
  // One JSON array of {id, last_updated, content, patients}, read by json_to_recordset in one
  // pass: the event travels as a JSON string and is stored as that text. (Taking fields out of a
  // json element with -> parses its text again for each of them: twice the PostgreSQL CPU.)
  const parts = [
    `${prefix}r AS (INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content, compartments)
       SELECT 'AuditEvent', t.id, 1, t.last_updated, false, t.content, t.patients
       FROM json_to_recordset(?::json) AS t(id text, last_updated timestamptz, content text, patients text[]))`,
  ];
  const bindings: unknown[] = [
    JSON.stringify(
      events.map(({ event, patients }) => ({
        id: event.id,
        last_updated: event.meta?.lastUpdated,
        content: JSON.stringify(event),
        patients,
      })),
    ),
  ];
  const indexes = new Map(events.map(({ event }) => [event.id, extract(event)]));
  const indexOf = (event: AuditEvent & { id: string }) => indexes.get(event.id) as IndexRows;
  for (const table of INDEX_TABLES) {
    const indexRows = events.flatMap(({ event }) => indexOf(event)[table].map((row) => ({ ...row, resource_id: event.id })));
    if (indexRows.length === 0) {
      continue;
    }
    const columns = INDEX_COLUMNS[table];
    parts.push(
      `${prefix}i_${table} AS (INSERT INTO sp_${table} (resource_type, resource_id, ${columns.join(', ')})
         SELECT 'AuditEvent', y.resource_id, ${columns.map((c) => `y.${c}`).join(', ')}
         FROM json_to_recordset(?::json) AS y(resource_id text, ${columns.map((c) => `${c} ${indexColumnType(table, c)}`).join(', ')}))`,
    );
    bindings.push(JSON.stringify(indexRows));
  }
  return { parts, bindings };
}
