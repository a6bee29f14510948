import type { AccessContext, AccessGrant } from '../auth/access-context';
import { CARE_RELATIONSHIP_TYPES } from '../auth/resource-policy';
import { allResourceTypes } from '../definitions';
import { FREE_SLOT_TAG, VERIFIED_TAG } from './access-tags';

/** A WHERE condition with `?` bindings. */
export interface SqlCondition {
  readonly sql: string;
  readonly bindings: readonly unknown[];
}

/**
 * The read filter of an AccessContext as one SQL condition over a `resource` or
 * `resource_history` row (STYLE.md rule 4: applied in storage on every read and search).
 * Undefined when nothing is filtered. `alias` qualifies the row's columns (`r.`), or is empty.
 */
export function readFilter(access: AccessContext, resourceTypes: readonly string[] | undefined, alias = ''): SqlCondition | undefined {
  if (access.unrestricted) {
    return undefined;
  }
  const a = alias ? `${alias}.` : '';
  const groups = new Map<string, { grant: AccessGrant; types: string[] }>();
  for (const type of resourceTypes ?? allResourceTypes()) {
    for (const grant of access.readGrants(type)) {
      // Public and own-data conditions depend on the type; the others are the same for all types.
      const key = JSON.stringify(grant) + (grant.kind === 'public' || grant.kind === 'own-practitioner-data' ? type : '');
      const group = groups.get(key);
      if (group) {
        group.types.push(type);
      } else {
        groups.set(key, { grant, types: [type] });
      }
    }
  }
  if (groups.size === 0) {
    return { sql: 'false', bindings: [] };
  }
  const parts: string[] = [];
  const bindings: unknown[] = [];
  for (const { grant, types } of groups.values()) {
    const condition = grantCondition(grant, types[0], a);
    if (condition.sql === 'false') {
      continue;
    }
    parts.push(`(${a}resource_type = ANY(?::text[])${condition.sql === 'true' ? '' : ` AND ${condition.sql}`})`);
    bindings.push(types, ...condition.bindings);
  }
  return parts.length === 0 ? { sql: 'false', bindings: [] } : { sql: `(${parts.join(' OR ')})`, bindings };
}

/** Appends the read filter to a WHERE list; the one call search-sql/builder.ts and history-sql.ts make. */
export function appendReadFilter(
  where: string[],
  bindings: unknown[],
  access: AccessContext | undefined,
  resourceTypes: readonly string[] | undefined,
): void {
  const filter = access && readFilter(access, resourceTypes);
  if (filter) {
    where.push(filter.sql);
    bindings.push(...filter.bindings);
  }
}

function grantCondition(grant: AccessGrant, type: string, a: string): SqlCondition {
  switch (grant.kind) {
    case 'all':
      return { sql: 'true', bindings: [] };
    case 'compartment':
      return { sql: `${a}compartments && ?::text[]`, bindings: [grant.patients] };
    case 'care-of':
      return {
        sql: `${a}compartments && ${CARE_PATIENTS_SQL}`,
        bindings: [CARE_RELATIONSHIP_TYPES, [`participant:${grant.practitioner}`]],
      };
    case 'public':
      return publicCondition(type, a);
    case 'own-practitioner-data':
      return ownDataCondition(type, grant.practitioner, a);
  }
}

/**
 * The Patient compartments of everyone the practitioner (second binding, as
 * `participant:Practitioner/<id>`) has an Appointment or Encounter with: the care relationship.
 */
export const CARE_PATIENTS_SQL = `ARRAY(SELECT DISTINCT unnest(cr.compartments) FROM resource cr
  WHERE cr.resource_type = ANY(?::text[]) AND NOT cr.deleted AND cr.access_tags @> ?::text[])`;

/** Verified practitioners as `<prefix>Practitioner/<id>` tags (the SQL twin of isVerifiedPractitioner). */
function verifiedPractitionerTags(prefix: string): string {
  return `ARRAY(SELECT '${prefix}Practitioner/' || vp.id FROM resource vp
    WHERE vp.resource_type = 'Practitioner' AND NOT vp.deleted AND vp.access_tags @> '{${VERIFIED_TAG}}')`;
}

function publicCondition(type: string, a: string): SqlCondition {
  switch (type) {
    case 'Practitioner':
      return { sql: `${a}access_tags @> '{${VERIFIED_TAG}}'`, bindings: [] };
    case 'PractitionerRole':
      return { sql: `${a}access_tags && ${verifiedPractitionerTags('practitioner:')}`, bindings: [] };
    case 'Schedule':
      return { sql: `${a}access_tags && ${verifiedPractitionerTags('actor:')}`, bindings: [] };
    case 'Slot':
      return {
        sql: `${a}access_tags @> '{${FREE_SLOT_TAG}}' AND ${a}access_tags && ARRAY(SELECT 'schedule:Schedule/' || ps.id FROM resource ps
          WHERE ps.resource_type = 'Schedule' AND NOT ps.deleted AND ps.access_tags && ${verifiedPractitionerTags('actor:')})`,
        bindings: [],
      };
    default:
      return { sql: 'true', bindings: [] };
  }
}

function ownDataCondition(type: string, practitioner: string, a: string): SqlCondition {
  switch (type) {
    case 'Practitioner':
      return { sql: `${a}id = ?`, bindings: [practitioner.slice('Practitioner/'.length)] };
    case 'PractitionerRole':
      return { sql: `${a}access_tags @> ?::text[]`, bindings: [[`practitioner:${practitioner}`]] };
    case 'Schedule':
      return { sql: `${a}access_tags @> ?::text[]`, bindings: [[`actor:${practitioner}`]] };
    case 'Slot':
      return {
        sql: `${a}access_tags && ARRAY(SELECT 'schedule:Schedule/' || os.id FROM resource os
          WHERE os.resource_type = 'Schedule' AND NOT os.deleted AND os.access_tags @> ?::text[])`,
        bindings: [[`actor:${practitioner}`]],
      };
    case 'Appointment':
      return { sql: `${a}access_tags @> ?::text[]`, bindings: [[`participant:${practitioner}`]] };
    default:
      return { sql: 'false', bindings: [] };
  }
}
