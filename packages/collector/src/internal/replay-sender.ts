import { DEFAULT_RETRY_POLICY, isRetryableStatus, nextRetryDelay, parseRetryAfter, type Envelope, type RetryPolicy } from '@tracklane/core';
import { CollectorError, CollectorErrorCode, isCollectorError } from './errors.js';
import type { BatchOutcome } from './replay.js';

export interface CollectorSenderOptions {
  /** Attempts per batch for network errors, timeouts, `408`, `429` and `5xx`. @default 5 */
  attempts?: number;
  /**
   * Wait before the second attempt; doubled for each next one up to a minute, with core's jitter
   * (±20 %); a `Retry-After` from the target wins (capped at five minutes), as for any tracker.
   * @default 400
   */
  backoffMs?: number;
  /** A request that takes longer is an attempt that failed. @default 30_000 */
  timeoutMs?: number;
}

/** The largest answer read: a collector's answer to a batch is far smaller; a target that sends more is not one. */
const MAX_ANSWER_BYTES = 16 << 20;

/**
 * Sends batches to a collector's `/v1/batch` and returns what it made of each. Only the collector's
 * own answer counts: a redirect is not followed (a replay that lands somewhere else, or nowhere, is
 * worse than one that stops), and a `200` whose body is not `{accepted, duplicates, rejected}` adding
 * up to the batch is a failure (REPLAY_TARGET), as is any other `4xx`. Network errors, timeouts and
 * the statuses core retries (`isRetryableStatus`: `408`, `429`, `5xx`) are retried when core's policy
 * says (`nextRetryDelay`: backoff with jitter, `Retry-After` honoured), so a replay backs off from a
 * struggling collector exactly as trackers do. Messages never hold the write key.
 */
export function collectorSender(url: string, writeKey: string, options: CollectorSenderOptions = {}): (batch: readonly Envelope[]) => Promise<BatchOutcome> {
  const { attempts = 5, backoffMs = 400, timeoutMs = 30_000 } = options;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAttempts: attempts, initialBackoffMs: backoffMs };
  const endpoint = `${url.replace(/\/+$/, '')}/v1/batch`;
  return async (batch) => {
    const body = JSON.stringify({ sentAt: new Date().toISOString(), events: batch });
    for (let attempt = 1; ; attempt++) {
      let why: string;
      let retryAfterMs: number | undefined;
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        const status = response.status;
        if (status === 200) return outcome(endpoint, batch.length, await readAnswer(endpoint, response));
        await response.body?.cancel();
        if (status >= 300 && status < 400) {
          const location = response.headers.get('location');
          throw targetError(endpoint, `answered HTTP ${status}${location ? ` (a redirect to ${location.slice(0, 200)})` : ''}: replay follows no redirect; give the collector's own URL`);
        }
        if (!isRetryableStatus(status)) throw targetError(endpoint, `answered HTTP ${status}`);
        why = `HTTP ${status}`;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      } catch (error) {
        if (isCollectorError(error)) throw error;
        why = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
      }
      if (attempt >= attempts) throw targetError(endpoint, `failed ${attempt} times, the last: ${why}`);
      await new Promise((resolve) => setTimeout(resolve, nextRetryDelay(attempt, policy, retryAfterMs)));
    }
  };
}

const targetError = (endpoint: string, what: string): CollectorError => new CollectorError(CollectorErrorCode.REPLAY_TARGET, `replay target ${endpoint} ${what}`);

/** The body of a 200, at most MAX_ANSWER_BYTES. */
async function readAnswer(endpoint: string, response: Response): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const read = (await reader?.read()) as { done: false; value: Uint8Array } | { done: true } | undefined;
    if (!read || read.done) break;
    size += read.value.length;
    if (size > MAX_ANSWER_BYTES) {
      await reader?.cancel();
      throw targetError(endpoint, `answered 200 with more than ${MAX_ANSWER_BYTES} bytes: not a collector's answer`);
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The counts of a collector's answer to a batch of `size` events; anything else is a REPLAY_TARGET error. */
function outcome(endpoint: string, size: number, text: string): BatchOutcome {
  const refuse = (why: string): never => {
    throw targetError(endpoint, `answered 200 with ${why}: not a collector's answer (${JSON.stringify(text.slice(0, 80))}${text.length > 80 ? '…' : ''})`);
  };
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return refuse('a body that is not JSON');
  }
  const { accepted, duplicates, rejected } = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
  const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!count(accepted) || !count(duplicates) || !Array.isArray(rejected)) return refuse('no {accepted, duplicates, rejected}');
  if (accepted + duplicates + rejected.length !== size) {
    return refuse(`counts for ${accepted + duplicates + rejected.length} events (${accepted} accepted, ${duplicates} duplicates, ${rejected.length} rejected) where ${size} were sent`);
  }
  return { accepted, duplicates, rejected: rejected.length };
}
