import type { HookClient } from '../domain/subscriptions/hook-client';

/**
 * Rest-hook POSTs with fetch: bounded by `timeoutMs`, redirects not followed (one could lead to
 * a host the policy forbids), the response body discarded.
 */
export function httpHookClient(timeoutMs: number): HookClient {
  return {
    async post({ url, headers, body }) {
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const reason =
          (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String((error as Error).cause ?? error);
        throw new Error(`POST ${url} failed: ${reason}`);
      }
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) {
        throw new Error(`POST ${url} answered ${response.status}`);
      }
    },
  };
}
