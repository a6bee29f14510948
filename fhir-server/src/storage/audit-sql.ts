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
  // One JSON array of {e: event, p: patients}: the event is serialised once, and a json (not
  // jsonb) element keeps its text, which is stored as the content as it is.
  const parts = [
    `${prefix}r AS (INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content, compartments)
       SELECT 'AuditEvent', t.x->'e'->>'id', 1, (t.x->'e'->'meta'->>'lastUpdated')::timestamptz, false, (t.x->'e')::text,
         ARRAY(SELECT json_array_elements_text(t.x->'p'))
       FROM json_array_elements(?::json) AS t(x))`,
  ];
  const bindings: unknown[] = [JSON.stringify(events.map(({ event, patients }) => ({ e: event, p: patients })))];
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
