import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

const T0 = 1_700_000_000_000;

/** Takes `n` tokens at time `now`; returns the wait each take answered. */
const takeMany = (limiter: RateLimiter, key: string, n: number, now: number): number[] =>
  Array.from({ length: n }, () => limiter.take(key, now));

describe('RateLimiter (token bucket per write key)', () => {
  it('allows a full burst at once, then asks to wait', () => {
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 5 });
    expect(takeMany(limiter, 'k', 5, T0)).toEqual([0, 0, 0, 0, 0]);
    expect(limiter.take('k', T0)).toBe(100);
  });

  it('defaults the burst to twice the rate, and the rate to 200/s', () => {
    expect(takeMany(new RateLimiter({ requestsPerSecond: 3 }), 'k', 7, T0)).toEqual([0, 0, 0, 0, 0, 0, 334]);
    const defaults = new RateLimiter();
    expect(takeMany(defaults, 'k', 400, T0).every((wait) => wait === 0)).toBe(true);
    expect(defaults.take('k', T0)).toBe(5);
  });

  it.each([
    // [elapsed ms after draining a 10/s bucket of burst 2, wait answered]
    [0, 100],
    [50, 50],
    [90, 10],
    [100, 0],
  ])('refills at the rate: %i ms after draining → wait %i ms (rounded up)', (elapsed, wait) => {
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 2 });
    takeMany(limiter, 'k', 2, T0);
    const answered = limiter.take('k', T0 + elapsed);
    expect(answered).toBeGreaterThanOrEqual(wait);
    expect(answered).toBeLessThanOrEqual(wait + 1);
  });

  it('never refills beyond the burst, however long the key was idle', () => {
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 3 });
    takeMany(limiter, 'k', 3, T0);
    const later = T0 + 3_600_000;
    expect(takeMany(limiter, 'k', 4, later)).toEqual([0, 0, 0, 100]);
  });

  it('keeps a bucket per key: one noisy key does not starve another', () => {
    const limiter = new RateLimiter({ requestsPerSecond: 1, burst: 1 });
    expect(limiter.take('noisy', T0)).toBe(0);
    expect(limiter.take('noisy', T0)).toBeGreaterThan(0);
    expect(limiter.take('quiet', T0)).toBe(0);
  });

  it('does not charge a refused request: the wait shrinks as time passes', () => {
    const limiter = new RateLimiter({ requestsPerSecond: 2, burst: 1 });
    limiter.take('k', T0);
    expect(takeMany(limiter, 'k', 3, T0)).toEqual([500, 500, 500]);
    expect(limiter.take('k', T0 + 400)).toBe(100);
    expect(limiter.take('k', T0 + 500)).toBe(0);
  });

  it('sustains the configured rate over a long run', () => {
    const limiter = new RateLimiter({ requestsPerSecond: 50, burst: 1 });
    let granted = 0;
    for (let ms = 0; ms < 10_000; ms++) if (limiter.take('k', T0 + ms) === 0) granted++;
    expect(granted).toBeGreaterThanOrEqual(499);
    expect(granted).toBeLessThanOrEqual(501);
  });
});

describe('RateLimiter with a bound on its keys (per client address)', () => {
  it('keeps at most maxKeys buckets, forgetting the least recently used first', () => {
    const limiter = new RateLimiter({ requestsPerSecond: 1, burst: 1 }, 3);
    for (const key of ['a', 'b', 'c']) expect(limiter.take(key, T0)).toBe(0);
    expect(limiter.take('a', T0)).toBeGreaterThan(0); // a is now the most recently used
    expect(limiter.take('d', T0)).toBe(0); // b, the least recently used, is forgotten
    expect(limiter.size).toBe(3);
    expect(limiter.take('a', T0)).toBeGreaterThan(0); // still remembered: still empty
    expect(limiter.take('b', T0)).toBe(0); // forgotten: a fresh bucket
  });

  it('a flood of distinct keys leaves the map at its bound', () => {
    const limiter = new RateLimiter({ requestsPerSecond: 1 }, 1000);
    for (let i = 0; i < 50_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, T0);
    expect(limiter.size).toBe(1000);
  });
});
