/** One rest-hook request to send. */
export interface HookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The resource JSON, or none for an empty-payload Subscription. */
  readonly body?: string;
}

/**
 * The port through which Subscriptions reach the outside; integrations/http-hook-client.ts
 * implements it. It resolves when the endpoint answered 2xx within the timeout, and throws
 * otherwise (a failed attempt, retried with backoff).
 */
export interface HookClient {
  post(request: HookRequest): Promise<void>;
}
