import type { Resource, Subscription } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';

/**
 * The server's own Subscription.status changes (requested -> active, -> error with the reason),
 * written as a new version under the same lock as an update through the API, and only if
 * `expected` still holds for the current version.
 */
export async function setSubscriptionStatus(
  repo: FhirRepository,
  id: string,
  status: 'active' | 'error',
  error: string | undefined,
  expected: (current: Subscription) => boolean,
): Promise<void> {
  await repo.transaction(async (tx) => {
    // The key of fhir/interactions' read-modify-write lock, so an update through the API waits.
    await tx.lock(`resource:Subscription/${id}`);
    const current = await tx.readCurrent('Subscription', id);
    if (!current || current.deleted) {
      return;
    }
    const subscription = JSON.parse(current.content) as Subscription;
    if (!expected(subscription)) {
      return;
    }
    const versionId = current.versionId + 1;
    const lastUpdated = new Date().toISOString();
    const { error: _previous, ...rest } = subscription;
    const next = {
      ...rest,
      status,
      ...(error ? { error: error.slice(0, 1000) } : {}),
      meta: { ...subscription.meta, versionId: String(versionId), lastUpdated },
    };
    await tx.writeVersion({ resource: next as Resource & { id: string }, versionId, lastUpdated, method: 'PUT', deleted: false });
  });
}

/** The Subscription a queued event belongs to if it is still active and not ended, else why it is not. */
export async function readActiveSubscription(
  repo: FhirRepository,
  id: string,
  now: Date,
): Promise<{ readonly subscription: Subscription } | { readonly skipped: string }> {
  const stored = await repo.readCurrent('Subscription', id);
  const subscription = stored && !stored.deleted ? (JSON.parse(stored.content) as Subscription) : undefined;
  if (subscription?.status !== 'active') {
    return { skipped: 'the subscription is no longer active' };
  }
  if (subscription.end && new Date(subscription.end).getTime() <= now.getTime()) {
    return { skipped: 'the subscription has ended' };
  }
  return { subscription };
}
