/**
 * When and how often a failed batch is tried again. Pure functions with named constants, so the
 * delivery queue stays free of arithmetic and the rules can be tested as tables.
 */
export interface RetryPolicy {
  /** Attempts per event before it is dropped with `retries_exhausted`. @default 10 */
  maxAttempts: number;
  /** Delay after the first failure. @default 500 */
  initialBackoffMs: number;
  /** Upper bound of the delay between attempts. @default 60_000 */
  maxBackoffMs: number;
  /** Growth of the delay per consecutive failure. @default 2 */
  multiplier: number;
  /** Fraction of the delay that is randomised (0 to 1), so clients do not retry in lockstep. @default 0.2 */
  jitter: number;
  /** `Retry-After` values above this are capped. @default 300_000 */
  maxRetryAfterMs: number;
  /** Events older than this (from `ts.created`) are dropped with `expired` instead of retried. @default 86_400_000 (24 h) */
  maxEventAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 10,
  initialBackoffMs: 500,
  maxBackoffMs: 60_000,
  multiplier: 2,
  jitter: 0.2,
  maxRetryAfterMs: 300_000,
  maxEventAgeMs: 86_400_000,
});

/** HTTP statuses worth retrying: 408, 429 and every 5xx. Other 4xx will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date. Returns milliseconds from `nowMs`
 * (0 for a date in the past), or `undefined` when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined; // "-1", "1.5": not a date either
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Delay before the next attempt after `failures` consecutive failures (1 = first failure).
 * A server's `Retry-After` wins over the computed backoff, capped by `maxRetryAfterMs`.
 * `random` is injectable for tests.
 */
export function nextRetryDelay(
  failures: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const exponential = policy.initialBackoffMs * policy.multiplier ** Math.max(0, failures - 1);
  const base = Math.min(policy.maxBackoffMs, exponential);
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}
