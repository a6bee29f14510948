/** One rest-hook request to send. */
export interface HookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The resource JSON (or an encrypted push message), or none for an empty-payload Subscription. */
  readonly body?: string | Buffer;
}

/** The endpoint answered, with a status other than 2xx. */
export class HookStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`POST ${url} answered ${status}`);
  }
}

/**
 * The port through which Subscriptions reach the outside; integrations/http-hook-client.ts
 * implements it. It resolves when the endpoint answered 2xx within the timeout, and throws
 * otherwise (a failed attempt, retried with backoff; HookStatusError when it answered).
 */
export interface HookClient {
  post(request: HookRequest): Promise<void>;
}
