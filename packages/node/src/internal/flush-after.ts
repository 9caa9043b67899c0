import type { Tracker } from '@tracklane/core';

export interface FlushAfterOptions {
  /**
   * Longest time to wait for delivery after the handler returned, so a slow collector cannot eat the
   * function's whole time budget. Undelivered events stay queued (or spooled) for the next invocation.
   * @default 2000
   */
  timeoutMs?: number;
}

/**
 * Wraps a serverless handler so queued events are flushed before the function returns and the
 * platform freezes it (AWS Lambda, Google Cloud Functions, Vercel, Netlify). Errors of the handler
 * are passed through unchanged, after the flush.
 *
 * @example
 * export const handler = flushAfter(tracker, async (event) => { trackSignup(tracker, {...}); return ok(); });
 */
export function flushAfter<Args extends unknown[], Result>(
  tracker: Pick<Tracker, 'flush'>,
  handler: (...args: Args) => Result | Promise<Result>,
  options: FlushAfterOptions = {},
): (...args: Args) => Promise<Result> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async (...args: Args) => {
    try {
      return await handler(...args);
    } finally {
      await tracker.flush({ timeoutMs });
    }
  };
}
