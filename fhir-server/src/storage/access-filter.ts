import type { AccessContext, AccessGrant } from '../auth/access-context';
import { CARE_RELATIONSHIP_TYPES } from '../auth/resource-policy';
import { allResourceTypes } from '../definitions';
import { CARE_TAG_PREFIX, CREDENTIAL_TAG, CREDENTIAL_TAG_PREFIX, CRITERIA_TAG_PREFIX, FREE_SLOT_TAG, VERIFIED_TAG } from './access-tags';

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
  const openTypes = new Set<string>();
  for (const { grant, types } of groups.values()) {
    const condition = grantCondition(grant, types[0], a);
    if (condition.sql === 'false') {
      continue;
    }
    if (condition.sql === 'true') {
      types.forEach((type) => openTypes.add(type));
    }
    parts.push(`(${a}resource_type = ANY(?::text[])${condition.sql === 'true' ? '' : ` AND ${condition.sql}`})`);
    bindings.push(types, ...condition.bindings);
  }
  if (resourceTypes && resourceTypes.every((type) => openTypes.has(type))) {
    // Every row of these types is visible: the caller's own type condition is the whole filter.
    return undefined;
  }
  return parts.length === 0 ? { sql: 'false', bindings: [] } : { sql: `(${parts.join(' OR ')})`, bindings };
}

/**
 * The read filter of a past version (`version`, a `resource_history` row) joined to its
 * resource's current row (`current`): the caller must be allowed to see the version as it was
 * and the resource as it is now. A resource moved out of the caller's compartment, or a
 * practitioner no longer verified, takes its history along; a deleted resource keeps the
 * compartments of its last version, so its history stays with the same callers.
 */
export function versionReadFilter(
  access: AccessContext,
  resourceTypes: readonly string[] | undefined,
  version: string,
  current: string,
): SqlCondition | undefined {
  const then = readFilter(access, resourceTypes, version);
  const now = readFilter(access, resourceTypes, current);
  if (!then || !now) {
    return then ?? now;
  }
  return { sql: `${then.sql} AND ${now.sql}`, bindings: [...then.bindings, ...now.bindings] };
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
        bindings: [CARE_RELATIONSHIP_TYPES, [`${CARE_TAG_PREFIX}${grant.practitioner}`]],
      };
    case 'public':
      return publicCondition(type, a);
    case 'own-practitioner-data':
      return ownDataCondition(type, grant.practitioner, a);
    case 'practitioner-credentials':
      return { sql: `${a}access_tags @> '{${CREDENTIAL_TAG}}' AND ${NO_PATIENT(a)}`, bindings: [] };
  }
}

/**
 * In no Patient compartment: a credential document is the practitioner's alone, so one that
 * also names a patient (as author, say) is that patient's record and follows their rules.
 */
const NO_PATIENT = (a: string): string => `cardinality(${a}compartments) = 0`;

/**
 * The Patient compartments of everyone the practitioner (second binding, as
 * `care:Practitioner/<id>`) has an Appointment or Encounter with that is not cancelled: the
 * care relationship (auth/resource-policy.ts establishesCare). A GIN lookup on access_tags.
 */
export const CARE_PATIENTS_SQL = `ARRAY(SELECT DISTINCT unnest(cr.compartments) FROM resource cr
  WHERE cr.resource_type = ANY(?::text[]) AND NOT cr.deleted AND cr.access_tags @> ?::text[])`;

/**
 * Some tag `<prefix><type>/<id>` of the row names a current resource of that type satisfying
 * `condition` (over alias `alias`): a primary-key lookup per tag, so the cost per row does not
 * grow with the number of such resources (an `&&` against an array of all of them would).
 */
function tagsReference(tagsColumn: string, prefix: string, type: string, alias: string, condition: string): string {
  const start = `${prefix}${type}/`;
  return `EXISTS (SELECT 1 FROM unnest(${tagsColumn}) ${alias}_tag
    JOIN resource ${alias} ON ${alias}.resource_type = '${type}' AND ${alias}.id = substr(${alias}_tag, ${start.length + 1})
    WHERE starts_with(${alias}_tag, '${start}') AND NOT ${alias}.deleted AND ${condition})`;
}

/** Tagged with a verified practitioner (`<prefix>Practitioner/<id>`): the SQL twin of isVerifiedPractitioner. */
function tagsVerifiedPractitioner(tagsColumn: string, prefix: string, alias: string): string {
  return tagsReference(tagsColumn, prefix, 'Practitioner', alias, `${alias}.access_tags @> '{${VERIFIED_TAG}}'`);
}

function publicCondition(type: string, a: string): SqlCondition {
  switch (type) {
    case 'Practitioner':
      return { sql: `${a}access_tags @> '{${VERIFIED_TAG}}'`, bindings: [] };
    case 'PractitionerRole':
      return { sql: tagsVerifiedPractitioner(`${a}access_tags`, 'practitioner:', 'vp'), bindings: [] };
    case 'Schedule':
      return { sql: tagsVerifiedPractitioner(`${a}access_tags`, 'actor:', 'vp'), bindings: [] };
    case 'Slot':
      return {
        sql: `${a}access_tags @> '{${FREE_SLOT_TAG}}' AND ${tagsReference(
          `${a}access_tags`,
          'schedule:',
          'Schedule',
          'ps',
          tagsVerifiedPractitioner('ps.access_tags', 'actor:', 'vp'),
        )}`,
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
    case 'Encounter':
      // Their own appointments and encounters, cancelled ones included (read only).
      return { sql: `${a}access_tags @> ?::text[]`, bindings: [[`participant:${practitioner}`]] };
    case 'Subscription':
      return { sql: `${a}access_tags @> ?::text[]`, bindings: [[`${CRITERIA_TAG_PREFIX}${practitioner}`]] };
    case 'DocumentReference':
    case 'Binary':
      // Their own credential documents (licence, diplomas).
      return { sql: `${a}access_tags @> ?::text[] AND ${NO_PATIENT(a)}`, bindings: [[`${CREDENTIAL_TAG_PREFIX}${practitioner}`]] };
    default:
      return { sql: 'false', bindings: [] };
  }
}
