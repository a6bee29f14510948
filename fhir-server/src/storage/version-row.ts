import type { StoredVersion } from './fhir-repository';

/** A row of `resource` or `resource_history` as the driver returns it. */
export interface VersionRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date | string;
  deleted: boolean;
  content: string;
  compartments?: string[];
}

export function toStoredVersion(row: VersionRow): StoredVersion {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: Number(row.version_id),
    lastUpdated: new Date(row.last_updated).toISOString(),
    deleted: row.deleted,
    content: row.content,
    compartments: row.compartments,
  };
}

export const VERSION_COLUMNS = 'resource_type, id, version_id, last_updated, deleted, content, compartments';

/** VERSION_COLUMNS qualified by a table alias (`h.resource_type, h.id, ...`). */
export function versionColumnsOf(alias: string): string {
  return VERSION_COLUMNS.split(', ')
    .map((column) => `${alias}.${column}`)
    .join(', ');
}
