import type { AccessContext, AccessGrant, WriteInteraction } from '../auth/access-context';
import { CARE_RELATIONSHIP_TYPES } from '../auth/resource-policy';
import { CARE_TAG_PREFIX, CREDENTIAL_TAG_PREFIX, CRITERIA_TAG_PREFIX, VERIFIED_TAG } from './access-tags';
import type { SqlExecutor } from './sql-executor';
import { AccessDeniedError } from './storage-errors';

/** What a write check needs to know about one version of a resource. */
export interface VersionFacts {
  readonly resourceType: string;
  readonly id: string;
  readonly compartments: readonly string[];
  readonly accessTags: readonly string[];
}

/**
 * Checks a write against the principal's write grants: the version being replaced (if any)
 * and the new version (unless it is a deletion) must each satisfy one grant, so a write can
 * neither reach into nor move data into a compartment the principal may not write.
 */
export class WriteChecker {
  private readonly carePatients = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(
    private readonly db: SqlExecutor,
    private readonly access: AccessContext,
  ) {}

  async check(interaction: WriteInteraction, before: VersionFacts | undefined, after: VersionFacts | undefined): Promise<void> {
    const type = (after ?? before)?.resourceType as string;
    const grants = this.access.writeGrants(type, interaction);
    for (const version of [before, after]) {
      if (version && !(await this.anyAdmits(grants, version, before))) {
        throw new AccessDeniedError(`Not permitted to ${VERBS[interaction]} ${version.resourceType}/${version.id}`);
      }
    }
  }

  private async anyAdmits(grants: readonly AccessGrant[], version: VersionFacts, before: VersionFacts | undefined): Promise<boolean> {
    for (const grant of grants) {
      if (await this.admits(grant, version, before)) {
        return true;
      }
    }
    return false;
  }

  private async admits(grant: AccessGrant, version: VersionFacts, before: VersionFacts | undefined): Promise<boolean> {
    switch (grant.kind) {
      case 'all':
        return true;
      case 'compartment':
        return isSubset(version.compartments, new Set(grant.patients));
      case 'care-of':
        return isSubset(version.compartments, await this.patientsInCareOf(grant.practitioner));
      case 'own-practitioner-data':
        return this.isOwnData(version, grant.practitioner, before);
      case 'public':
      case 'practitioner-credentials':
        return false;
    }
  }

  private async isOwnData(version: VersionFacts, practitioner: string, before: VersionFacts | undefined): Promise<boolean> {
    switch (version.resourceType) {
      case 'Practitioner':
        // A doctor edits their own profile but cannot verify themselves.
        return (
          `Practitioner/${version.id}` === practitioner &&
          before !== undefined &&
          version.accessTags.includes(VERIFIED_TAG) === before.accessTags.includes(VERIFIED_TAG)
        );
      case 'PractitionerRole':
        return version.accessTags.includes(`practitioner:${practitioner}`);
      case 'Schedule':
        return version.accessTags.includes(`actor:${practitioner}`);
      case 'Subscription':
        return version.accessTags.includes(`${CRITERIA_TAG_PREFIX}${practitioner}`);
      case 'DocumentReference':
      case 'Binary':
        // Their own credential documents, in no patient's compartment; once an administrator
        // has verified them, what was verified stays (new documents may still be added).
        return (
          version.compartments.length === 0 &&
          version.accessTags.includes(`${CREDENTIAL_TAG_PREFIX}${practitioner}`) &&
          (before === undefined || !(await this.isVerified(practitioner)))
        );
      case 'Slot': {
        const schedules = version.accessTags
          .filter((t) => t.startsWith('schedule:Schedule/'))
          .map((t) => t.slice('schedule:Schedule/'.length));
        if (schedules.length === 0) {
          return false;
        }
        const { rows } = await this.db.raw<{ n: number }>(
          `SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Schedule' AND id = ANY(?::text[]) AND NOT deleted AND access_tags @> ?::text[]`,
          [schedules, [`actor:${practitioner}`]],
        );
        return rows[0].n === schedules.length;
      }
      default:
        return false;
    }
  }

  private async isVerified(practitioner: string): Promise<boolean> {
    const { rows } = await this.db.raw<{ n: number }>(
      `SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Practitioner' AND id = ? AND NOT deleted AND access_tags @> ?::text[]`,
      [practitioner.slice('Practitioner/'.length), [VERIFIED_TAG]],
    );
    return rows[0].n > 0;
  }

  /** The Patient compartments this practitioner has a care relationship with, once per request. */
  private patientsInCareOf(practitioner: string): Promise<ReadonlySet<string>> {
    let found = this.carePatients.get(practitioner);
    if (!found) {
      found = this.db
        .raw<{ p: string }>(
          `SELECT DISTINCT unnest(compartments) AS p FROM resource
           WHERE resource_type = ANY(?::text[]) AND NOT deleted AND access_tags @> ?::text[]`,
          [CARE_RELATIONSHIP_TYPES, [`${CARE_TAG_PREFIX}${practitioner}`]],
        )
        .then(({ rows }) => new Set(rows.map((r) => r.p)));
      this.carePatients.set(practitioner, found);
    }
    return found;
  }
}

const VERBS: Record<WriteInteraction, string> = { c: 'create', u: 'update', d: 'delete' };

/** Non-empty and inside the allowed set: a compartment write must land in an allowed compartment. */
function isSubset(compartments: readonly string[], allowed: ReadonlySet<string>): boolean {
  return compartments.length > 0 && compartments.every((c) => allowed.has(c));
}
