import type { FhirRepository } from '../../storage/fhir-repository';
import type { Job } from '../../storage/notification-store';
import { PermanentFailure, type JobSender, type SendResult } from '../notifications/notification-job';
import { endpointProblem, type EndpointPolicy } from './endpoint-policy';
import { PushEndpointGone, type PushSender } from './push-sender';
import { subscriptionFailed } from './rest-hook-sender';
import { WEB_PUSH, webPushKeys, type SubscriptionEventPayload } from './subscription-channels';
import { readActiveSubscription } from './subscription-status';

/** Push services keep a message for an offline device this long. */
const TTL_SECONDS = 24 * 3600;

/**
 * Delivers a Subscription event to a browser through Web Push: a small JSON message without
 * health data (`{"subscription","eventNumber","resource","event"}`; the service worker fetches
 * the rest with the user's token), encrypted for the browser's keys. A push endpoint that is
 * gone ends the Subscription's deliveries at once (status error); other failures are retried
 * with backoff, and after the last attempt the Subscription goes to error with the reason.
 */
export class WebPushSubscriptionSender implements JobSender {
  readonly kind = WEB_PUSH;

  constructor(
    private readonly repo: FhirRepository,
    /** Undefined when VAPID keys are not configured. */
    private readonly push: PushSender | undefined,
    private readonly policy: EndpointPolicy,
  ) {}

  async send(job: Job, now: Date): Promise<SendResult> {
    const payload = job.payload as unknown as SubscriptionEventPayload;
    const subscriptionId = payload.subscription.split('/')[1];
    const active = await readActiveSubscription(this.repo, subscriptionId, now);
    if ('skipped' in active) {
      return { status: 'skipped', reason: active.skipped };
    }
    const endpoint = active.subscription.channel?.endpoint;
    const keys = webPushKeys(active.subscription);
    const problem = endpointProblem(endpoint, this.policy);
    if (problem || !endpoint || !keys) {
      throw new PermanentFailure(problem ?? 'no push endpoint or keys');
    }
    if (!this.push) {
      throw new PermanentFailure('Web Push is not configured on this server (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY)');
    }
    const message = {
      subscription: subscriptionId,
      eventNumber: payload.eventNumber,
      resource: payload.resource,
      event: payload.deleted ? 'delete' : 'update',
    };
    try {
      await this.push.send({ endpoint, keys, payload: JSON.stringify(message), ttlSeconds: TTL_SECONDS });
    } catch (error) {
      if (error instanceof PushEndpointGone) {
        throw new PermanentFailure(error.message);
      }
      throw error;
    }
    return { status: 'sent' };
  }

  async onDead(job: Job, error: string): Promise<void> {
    await subscriptionFailed(this.repo, job, error);
  }
}
