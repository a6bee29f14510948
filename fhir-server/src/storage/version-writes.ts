import type { Resource } from '@medplum/fhirtypes';
import type { WriteMethod } from './fhir-repository';
import { indexDeleteCtes, indexInsertCtes } from './index-writes';
import type { IndexRows } from './indexing/index-rows';
import type { ChangeAuthor } from './resource-changes';

/** One resource version ready to store, with what storage derived from it. */
export interface VersionWrite {
  readonly resource: Resource & { id: string };
  readonly versionId: number;
  readonly lastUpdated: string;
  readonly method: WriteMethod;
  readonly deleted: boolean;
  readonly compartments: readonly string[];
  readonly accessTags: readonly string[];
  /** Search index rows (none for a deletion). */
  readonly index: IndexRows | undefined;
  readonly author: ChangeAuthor | null;
}

/** The columns of the versions to store, with their SQL types. */
const VERSION_COLUMNS = [
  ['resource_type', 'text'],
  ['id', 'text'],
  ['version_id', 'integer'],
  ['last_updated', 'timestamptz'],
  ['deleted', 'boolean'],
  ['method', 'text'],
  ['content', 'text'],
  ['compartments', 'text[]'],
  ['access_tags', 'text[]'],
  ['author', 'jsonb'],
] as const;

type VersionColumns = { [C in (typeof VERSION_COLUMNS)[number] as C[0]]: unknown };

const HISTORY_COLUMNS = VERSION_COLUMNS.slice(0, -1);
const CURRENT_COLUMNS = 'resource_type, id, version_id, last_updated, deleted, content, compartments, access_tags';

/**
 * Data-modifying CTEs storing versions in one statement: history rows, current rows (upsert),
 * the search index rows replaced, and the notification outbox rows (resource-changes.ts). Many
 * versions travel as one JSON array read by json_to_recordset, so a transaction of 50 entries
 * costs PostgreSQL one statement, not 50. No two writes may be of the same resource. Appends
 * its bindings to `bindings`; the caller joins the parts into one `WITH` statement.
 */
export function versionWriteCtes(writes: readonly VersionWrite[], bindings: unknown[]): string[] {
  const rows = writes.map(versionColumns);
  const single = rows.length === 1 ? rows[0] : undefined;
  const historyInsert = `INSERT INTO resource_history (${HISTORY_COLUMNS.map(([name]) => name).join(', ')})`;
  const changeInsert = 'INSERT INTO resource_change (resource_type, resource_id, version_id, author)';
  const parts: string[] = [];
  if (single) {
    // One write (the common case outside transactions) binds its values: cheaper than a JSON array.
    parts.push(
      `h AS (${historyInsert} VALUES (${HISTORY_COLUMNS.map(([, type]) => `?::${type}`).join(', ')}) RETURNING ${CURRENT_COLUMNS})`,
      `n AS (${changeInsert} VALUES (?, ?, ?, ?::jsonb))`,
    );
    bindings.push(...HISTORY_COLUMNS.map(([name]) => single[name]), single.resource_type, single.id, single.version_id, single.author);
  } else {
    parts.push(
      `v AS (SELECT * FROM json_to_recordset(?::json) AS v(${VERSION_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')}))`,
      `h AS (${historyInsert} SELECT ${HISTORY_COLUMNS.map(([name]) => name).join(', ')} FROM v RETURNING ${CURRENT_COLUMNS})`,
      `n AS (${changeInsert} SELECT resource_type, id, version_id, author FROM v)`,
    );
    bindings.push(JSON.stringify(rows));
  }
  // The current rows are copied from the history rows' RETURNING: the content is sent once.
  parts.push(
    `c AS (INSERT INTO resource (${CURRENT_COLUMNS}) SELECT * FROM h
           ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
             last_updated = excluded.last_updated, deleted = excluded.deleted, content = excluded.content,
             compartments = excluded.compartments, access_tags = excluded.access_tags
           WHERE resource.version_id < excluded.version_id)`,
  );
  // A first version has no index rows to replace: creates skip the deletes.
  if (writes.some((w) => w.versionId > 1)) {
    parts.push(`replaced AS (SELECT resource_type, id FROM h WHERE version_id > 1)`, ...indexDeleteCtes('replaced'));
  }
  parts.push(
    ...indexInsertCtes(
      writes.map((w) => ({ resourceType: w.resource.resourceType, id: w.resource.id, rows: w.index })),
      bindings,
    ),
  );
  return parts;
}

function versionColumns(w: VersionWrite): VersionColumns {
  return {
    resource_type: w.resource.resourceType,
    id: w.resource.id,
    version_id: w.versionId,
    last_updated: w.lastUpdated,
    deleted: w.deleted,
    method: w.method,
    content: w.deleted ? '' : JSON.stringify(w.resource),
    compartments: w.compartments,
    access_tags: w.accessTags,
    author: w.author,
  };
}
