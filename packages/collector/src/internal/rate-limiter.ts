export interface RateLimit {
  /** Requests per second allowed per write key, on average. @default 200 */
  requestsPerSecond?: number;
  /** Requests allowed in a burst. @default 2 × requestsPerSecond */
  burst?: number;
}

/** A token bucket per key. `take` answers how long to wait (ms) when the bucket is empty, else 0. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly rate: number;
  private readonly burst: number;

  constructor(limit: RateLimit = {}) {
    this.rate = limit.requestsPerSecond ?? 200;
    this.burst = limit.burst ?? this.rate * 2;
  }

  take(key: string, now = Date.now()): number {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { tokens: this.burst, at: now }));
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.rate) * 1000);
  }
}
