import type { Subscription } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import type { Job } from '../../storage/notification-store';
import { PermanentFailure, type JobSender, type SendResult } from '../notifications/notification-job';
import { endpointProblem, type EndpointPolicy } from './endpoint-policy';
import type { HookClient } from './hook-client';
import { REST_HOOK, type RestHookPayload } from './subscription-planner';
import { channelHeaders } from './subscription-rules';
import { setSubscriptionStatus } from './subscription-status';

/**
 * Delivers one Subscription event: POST to channel.endpoint with the channel's headers, the
 * event number (`X-MedBuddy-Event-Number`) and, when channel.payload is set, the version
 * written as the body. After the last failed attempt the Subscription goes to status error.
 */
export class RestHookSender implements JobSender {
  readonly kind = REST_HOOK;

  constructor(
    private readonly repo: FhirRepository,
    private readonly hooks: HookClient,
    private readonly policy: EndpointPolicy,
  ) {}

  async send(job: Job, now: Date): Promise<SendResult> {
    const payload = job.payload as unknown as RestHookPayload;
    const subscriptionId = payload.subscription.split('/')[1];
    const stored = await this.repo.readCurrent('Subscription', subscriptionId);
    const subscription = stored && !stored.deleted ? (JSON.parse(stored.content) as Subscription) : undefined;
    if (subscription?.status !== 'active') {
      return { status: 'skipped', reason: 'the subscription is no longer active' };
    }
    if (subscription.end && new Date(subscription.end).getTime() <= now.getTime()) {
      return { status: 'skipped', reason: 'the subscription has ended' };
    }
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
    if (subscription.channel?.payload) {
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
    const payload = job.payload as unknown as RestHookPayload;
    const reason = `Delivery of event ${payload.eventNumber} failed after ${job.attempts} attempts: ${error}`;
    await setSubscriptionStatus(this.repo, payload.subscription.split('/')[1], 'error', reason, (s) => s.status === 'active');
  }
}
