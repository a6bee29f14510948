const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 60 * 60_000;

/**
 * When to try a failed notification again: 30 s after the first attempt, doubling up to one
 * hour, so ten attempts span about four hours (an endpoint down for a while still gets its events).
 */
export function retryAt(now: Date, attempts: number): Date {
  const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + delay);
}
