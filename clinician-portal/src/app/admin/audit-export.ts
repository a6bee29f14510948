import type { AuditEvent } from '@medplum/fhirtypes';

export type AuditExportFormat = 'csv' | 'ndjson';

export const AUDIT_CSV_COLUMNS = ['id', 'recorded', 'type', 'subtype', 'action', 'outcome', 'agents', 'entities', 'source'] as const;

/** The events as CSV (RFC 4180: CRLF lines, quoted fields), one row per event under a header row. */
export function auditCsv(events: readonly AuditEvent[]): string {
  const rows = events.map((event) => [
    event.id ?? '',
    event.recorded,
    event.type.code ?? '',
    (event.subtype ?? []).map((s) => s.code).join(' '),
    event.action ?? '',
    event.outcome ?? '',
    auditAgents(event),
    auditEntities(event),
    event.source.observer.reference ?? event.source.observer.display ?? '',
  ]);
  return [[...AUDIT_CSV_COLUMNS], ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The events as NDJSON: one complete AuditEvent resource per line. */
export function auditNdjson(events: readonly AuditEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + (events.length ? '\n' : '');
}

export function auditAgents(event: AuditEvent): string {
  return event.agent.map((agent) => agent.who?.reference ?? agent.who?.display ?? agent.name ?? '').join(', ');
}

export function auditEntities(event: AuditEvent): string {
  return (event.entity ?? []).map((entity) => entity.what?.reference ?? '').join(', ');
}

/**
 * A CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or `@`
 * is prefixed with `'` so that a spreadsheet does not run it as a formula (CSV injection).
 */
function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
