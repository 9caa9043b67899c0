/** A token bucket's size: the average rate it refills at, and how many it holds. */
export interface RateBucket {
  /** Requests per second allowed, on average. */
  requestsPerSecond?: number;
  /** Requests allowed in a burst. @default 2 × requestsPerSecond */
  burst?: number;
}

export interface RateLimit extends RateBucket {
  /** Requests per second allowed per write key, on average. @default 200 */
  requestsPerSecond?: number;
  /**
   * Requests allowed per client address (IPv4 address, IPv6 /64), charged before the key's own
   * budget: every request that fails authentication, and every request with a browser key. So one
   * holder of a public browser key cannot spend everyone's budget, and a flood of wrong keys from
   * one address is refused with 429 before it costs more. Requests with a server key (a secret, and
   * often many services behind one NAT address) are limited by their key's budget alone.
   * @default { requestsPerSecond: 50, burst: 100 }
   */
  perAddress?: RateBucket;
}

/** The rate limit's defaults, in one place (limits.rateLimit). */
export const DEFAULT_RATE_LIMIT = {
  requestsPerSecond: 200,
  perAddress: { requestsPerSecond: 50 },
  /** Client addresses remembered; the least recently seen are forgotten first (a full bucket is what a new one is). */
  maxAddresses: 100_000,
} as const;

/**
 * A token bucket per key. `take` answers how long to wait (ms) when the bucket is empty, else 0.
 * At most `maxKeys` buckets are kept, the least recently used forgotten first, so keys an attacker
 * picks (client addresses) cannot grow the map without bound.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly rate: number;
  private readonly burst: number;

  constructor(
    limit: RateBucket = {},
    private readonly maxKeys = Number.POSITIVE_INFINITY,
  ) {
    this.rate = limit.requestsPerSecond ?? DEFAULT_RATE_LIMIT.requestsPerSecond;
    this.burst = limit.burst ?? this.rate * 2;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string, now = Date.now()): number {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else bucket = { tokens: this.burst, at: now };
    // Re-inserted: the Map's first entry is always the least recently used.
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.rate) * 1000);
  }
}
