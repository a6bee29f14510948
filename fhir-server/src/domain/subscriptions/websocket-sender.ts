import type { Job } from '../../storage/notification-store';
import type { JobSender, SendResult } from '../notifications/notification-job';
import { WEBSOCKET, type SubscriptionEventPayload } from './subscription-channels';

/** The WebSocket connections of this process (http/subscription-sockets.ts implements it). */
export interface SubscriptionEventSink {
  /** Sends the events up to `eventNumber` to the clients bound to the Subscription here; how many clients got them. */
  publish(subscriptionId: string, eventNumber: number): Promise<number>;
}

/**
 * A websocket-channel event: pushed at once to the clients bound in this process. Clients
 * bound in another process get it at that process's next notification pass (the sink reads
 * the numbered events from the database), and a client that was away asks `$events`.
 */
export class WebSocketSender implements JobSender {
  readonly kind = WEBSOCKET;

  constructor(private readonly sink: SubscriptionEventSink) {}

  async send(job: Job): Promise<SendResult> {
    const payload = job.payload as unknown as SubscriptionEventPayload;
    const reached = await this.sink.publish(payload.subscription.split('/')[1], payload.eventNumber);
    return reached > 0
      ? { status: 'sent' }
      : { status: 'skipped', reason: 'no client bound in this process; other processes and $events serve it' };
  }
}
