import type { FhirRepository } from '../../storage/fhir-repository';
import type { Job } from '../../storage/notification-store';
import { PermanentFailure, type JobSender, type SendResult } from '../notifications/notification-job';
import { endpointProblem, type EndpointPolicy } from './endpoint-policy';
import type { HookClient } from './hook-client';
import { REST_HOOK, type SubscriptionEventPayload } from './subscription-channels';
import { channelHeaders } from './subscription-rules';
import { readActiveSubscription, setSubscriptionStatus } from './subscription-status';

/**
 * Delivers one Subscription event: POST to channel.endpoint with the channel's headers, the
 * event number (`X-MedBuddy-Event-Number`) and, when channel.payload is set, the version
 * written as the body. A deletion is posted without a body, with `X-MedBuddy-Event-Type:
 * delete` and `X-MedBuddy-Resource`. After the last failed attempt the Subscription goes to
 * status error.
 */
export class RestHookSender implements JobSender {
  readonly kind = REST_HOOK;

  constructor(
    private readonly repo: FhirRepository,
    private readonly hooks: HookClient,
    private readonly policy: EndpointPolicy,
  ) {}

  async send(job: Job, now: Date): Promise<SendResult> {
    const payload = job.payload as unknown as SubscriptionEventPayload;
    const subscriptionId = payload.subscription.split('/')[1];
    const active = await readActiveSubscription(this.repo, subscriptionId, now);
    if ('skipped' in active) {
      return { status: 'skipped', reason: active.skipped };
    }
    const { subscription } = active;
    const endpoint = subscription.channel?.endpoint;
    const problem = endpointProblem(endpoint, this.policy);
    if (problem || !endpoint) {
      throw new PermanentFailure(problem ?? 'no endpoint');
    }
    const headers: Record<string, string> = {
      ...channelHeaders(subscription),
      'X-MedBuddy-Subscription': subscriptionId,
      'X-MedBuddy-Event-Number': String(payload.eventNumber),
    };
    let body: string | undefined;
    if (payload.deleted) {
      headers['X-MedBuddy-Event-Type'] = 'delete';
      headers['X-MedBuddy-Resource'] = payload.resource;
    } else if (subscription.channel?.payload) {
      const [type, id] = payload.resource.split('/');
      const version = await this.repo.readVersion(type, id, payload.versionId);
      if (!version || version.deleted) {
        return { status: 'skipped', reason: `${payload.resource}/_history/${payload.versionId} is gone` };
      }
      body = version.content;
      headers['Content-Type'] = subscription.channel.payload;
    }
    await this.hooks.post({ url: endpoint, headers, body });
    return { status: 'sent' };
  }

  async onDead(job: Job, error: string): Promise<void> {
    await subscriptionFailed(this.repo, job, error);
  }
}

/** The last attempt of an event failed: the Subscription goes to error with the reason. */
export async function subscriptionFailed(repo: FhirRepository, job: Job, error: string): Promise<void> {
  const payload = job.payload as unknown as SubscriptionEventPayload;
  const reason = `Delivery of event ${payload.eventNumber} failed after ${job.attempts} attempts: ${error}`;
  await setSubscriptionStatus(repo, payload.subscription.split('/')[1], 'error', reason, (s) => s.status === 'active');
}
