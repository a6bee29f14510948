import type { AccessContext } from '../auth/access-context';
import { toPrincipalRecord, type PrincipalRecord } from '../auth/principal-record';

/** Who wrote a resource, kept for the types whose readers act on the writer's behalf. */
export interface ChangeAuthor {
  /** Written with full access (the server itself, a `system/*.*` client). */
  readonly unrestricted: boolean;
  readonly principal: PrincipalRecord;
}

/** One committed resource write waiting in the outbox (`resource_change`). */
export interface ResourceChange {
  readonly id: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly versionId: number;
  readonly author?: ChangeAuthor;
}

/** Types whose author is recorded with the change: a Subscription delivers what its owner may read. */
const AUTHORED_TYPES: ReadonlySet<string> = new Set(['Subscription']);

/** The author column of a write (null for types that do not need it). */
export function changeAuthor(resourceType: string, access: AccessContext): ChangeAuthor | null {
  if (!AUTHORED_TYPES.has(resourceType)) {
    return null;
  }
  return { unrestricted: access.unrestricted, principal: toPrincipalRecord(access.principal) };
}
