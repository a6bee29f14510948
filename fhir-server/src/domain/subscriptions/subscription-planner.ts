import type { Resource, Subscription } from '@medplum/fhirtypes';
import { accessContextFor, FULL_ACCESS } from '../../auth/access-context';
import { fromPrincipalRecord } from '../../auth/principal-record';
import type { FhirRepository } from '../../storage/fhir-repository';
import type { NotificationStore } from '../../storage/notification-store';
import type { ChangeAuthor, ResourceChange } from '../../storage/resource-changes';
import type { ChangePlanner } from '../notifications/notification-job';
import type { EndpointPolicy } from './endpoint-policy';
import { deliveryKind, REST_HOOK, WEB_PUSH, type SubscriptionEventPayload } from './subscription-channels';
import { matchesCriteria, parseCriteria } from './subscription-criteria';
import { subscriptionProblems } from './subscription-rules';
import { setSubscriptionStatus } from './subscription-status';

/** Active Subscriptions one person may have (devices, portals, live views). */
export const MAX_ACTIVE_PER_USER = 10;

/** What a Subscription planned so far (notification_state). */
export interface SubscriptionState {
  readonly status: string;
  readonly criteria: string;
  readonly resourceType: string;
  /** Who wrote it through the API: deliveries are limited to what they may read. */
  readonly owner?: ChangeAuthor;
  /** Events numbered so far; the next delivery carries events + 1. */
  readonly events: number;
  /** The job kind of its channel (subscription-channels.ts); absent in states planned before there were several. */
  readonly delivery?: string;
}

export interface SubscriptionPlannerOptions {
  readonly policy: EndpointPolicy;
  readonly maxAttempts: number;
  readonly knownTypes: readonly string[];
  /** Web Push (VAPID keys) is configured: Web Push channels can be activated. */
  readonly webPush: boolean;
}

/**
 * R4 Subscriptions: a requested one is checked and made active (or error, with the reason);
 * each later write of a matching version that its owner may read, and the deletion of a
 * resource whose last version matched, becomes a numbered delivery job of its channel's kind,
 * in the transaction that consumes the change.
 */
export class SubscriptionPlanner implements ChangePlanner {
  constructor(private readonly options: SubscriptionPlannerOptions) {}

  async plan(change: ResourceChange, tx: NotificationStore, now: Date, repo: FhirRepository): Promise<void> {
    if (change.resourceType === 'Subscription') {
      await this.subscriptionChanged(change, tx, repo);
    } else {
      await this.resourceChanged(change, tx, now, repo);
    }
  }

  private async subscriptionChanged(change: ResourceChange, tx: NotificationStore, repo: FhirRepository): Promise<void> {
    const subject = `Subscription/${change.resourceId}`;
    await tx.lock(subject);
    const current = await repo.readCurrent('Subscription', change.resourceId);
    if (!current || current.deleted) {
      await tx.deleteState(subject);
      await tx.cancelPending(subject);
      return;
    }
    const subscription = JSON.parse(current.content) as Subscription;
    const before = await tx.readState<SubscriptionState>(subject);
    // The server's own status writes do not change who owns the subscription.
    const owner = change.author && !isServer(change.author) ? change.author : before?.owner;
    const problems = subscriptionProblems(subscription, this.options.knownTypes, this.options.policy);
    if (deliveryKind(subscription) === WEB_PUSH && !this.options.webPush) {
      problems.push('Web Push is not configured on this server (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY)');
    }
    let status: string = subscription.status;
    if (problems.length === 0 && status === 'requested' && owner) {
      const limit = await this.ownerLimitProblem(subject, owner, tx);
      if (limit) {
        problems.push(limit);
      }
    }
    if (problems.length > 0 && (status === 'requested' || status === 'active')) {
      await setSubscriptionStatus(repo, change.resourceId, 'error', problems.join('; '), (s) => s.status === status);
      status = 'error';
    } else if (status === 'requested') {
      await setSubscriptionStatus(repo, change.resourceId, 'active', undefined, (s) => s.status === 'requested');
      status = 'active';
    }
    const criteria = parseCriteria(subscription.criteria, this.options.knownTypes);
    const state: SubscriptionState = {
      status,
      criteria: subscription.criteria ?? '',
      resourceType: criteria.ok ? criteria.resourceType : '',
      owner,
      events: before?.events ?? 0,
      delivery: deliveryKind(subscription),
    };
    await tx.writeState(subject, 'Subscription', state);
    if (status !== 'active') {
      await tx.cancelPending(subject);
    }
  }

  /**
   * A person (not a backend client) may have MAX_ACTIVE_PER_USER active Subscriptions: each
   * one is evaluated on every write, so a patient must not be able to slow the server down by
   * creating thousands. Serialised per owner, so two processes cannot both admit the last one.
   */
  private async ownerLimitProblem(subject: string, owner: ChangeAuthor, tx: NotificationStore): Promise<string | undefined> {
    const key = userKey(owner);
    if (!key) {
      return undefined;
    }
    await tx.lock(`subscription-owner:${key}`);
    const active = (await tx.statesOfKind<SubscriptionState>('Subscription')).filter(
      (s) => s.subject !== subject && s.state.status === 'active' && s.state.owner && userKey(s.state.owner) === key,
    );
    return active.length >= MAX_ACTIVE_PER_USER
      ? `at most ${MAX_ACTIVE_PER_USER} active Subscriptions per user; turn one off (status off) or delete it first`
      : undefined;
  }

  private async resourceChanged(change: ResourceChange, tx: NotificationStore, now: Date, repo: FhirRepository): Promise<void> {
    const subscriptions = (await tx.statesOfKind<SubscriptionState>('Subscription')).filter(
      (s) => s.state.status === 'active' && s.state.resourceType === change.resourceType,
    );
    if (subscriptions.length === 0) {
      return;
    }
    // The version written, not the current one: each write is its own event. A deletion is
    // matched, and checked for the owner, as the version it deletes.
    const written = await repo.readVersion(change.resourceType, change.resourceId, change.versionId);
    const matched = written?.deleted ? await repo.readVersion(change.resourceType, change.resourceId, change.versionId - 1) : written;
    if (!written || !matched || matched.deleted) {
      return;
    }
    const resource = JSON.parse(matched.content) as Resource;
    for (const { subject, state } of subscriptions) {
      const criteria = parseCriteria(state.criteria, this.options.knownTypes);
      if (!criteria.ok || !matchesCriteria(resource, criteria) || !(await ownerMayRead(repo, state.owner, change, matched.versionId))) {
        continue;
      }
      await tx.lock(subject);
      const fresh = (await tx.readState<SubscriptionState>(subject)) ?? state;
      const eventNumber = fresh.events + 1;
      await tx.writeState(subject, 'Subscription', { ...fresh, events: eventNumber });
      const payload: SubscriptionEventPayload = {
        subscription: subject,
        resource: `${change.resourceType}/${change.resourceId}`,
        versionId: change.versionId,
        eventNumber,
        ...(written.deleted ? { deleted: true } : {}),
      };
      await tx.enqueue([
        {
          kind: fresh.delivery ?? REST_HOOK,
          dedupeKey: `${subject}/event/${eventNumber}`,
          groupKey: subject,
          payload: { ...payload },
          dueAt: now,
          maxAttempts: this.options.maxAttempts,
        },
      ]);
    }
  }
}

/** A subscription never delivers what its owner may not read (checked on the version that matched). */
async function ownerMayRead(
  repo: FhirRepository,
  owner: ChangeAuthor | undefined,
  change: ResourceChange,
  versionId: number,
): Promise<boolean> {
  if (!owner) {
    return false;
  }
  if (owner.unrestricted) {
    return true;
  }
  const access = accessContextFor(fromPrincipalRecord(owner.principal));
  const seen = await repo.withAccess(access).readVersion(change.resourceType, change.resourceId, versionId);
  return seen !== undefined && !seen.deleted;
}

/** The person a subscription belongs to (`Patient/1`, else their account); undefined for backend clients. */
function userKey(owner: ChangeAuthor): string | undefined {
  const principal = owner.principal;
  return principal.kind === 'user' ? (principal.profile ?? `account:${principal.accountId}`) : undefined;
}

function isServer(author: ChangeAuthor): boolean {
  const server = FULL_ACCESS.principal;
  return (
    author.unrestricted && author.principal.kind === 'client' && server.kind === 'client' && author.principal.clientId === server.clientId
  );
}
