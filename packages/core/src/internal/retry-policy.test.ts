import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, nextRetryDelay, parseRetryAfter } from './retry-policy.js';

describe('isRetryableStatus', () => {
  it.each([
    [200, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [408, true],
    [413, false],
    [422, false],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
  ])('HTTP %i → retry: %s', (status, retry) => {
    expect(isRetryableStatus(status)).toBe(retry);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each<[string | undefined | null, number | undefined]>([
    ['0', 0],
    ['1', 1000],
    [' 120 ', 120_000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['', undefined],
    [undefined, undefined],
    [null, undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['Thu, 99 Foo 2026', undefined],
  ])('%j → %j ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('nextRetryDelay', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, initialBackoffMs: 100, maxBackoffMs: 10_000, multiplier: 2, jitter: 0.2 };

  it('grows exponentially from the initial backoff', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4].map((n) => nextRetryDelay(n, policy, undefined, middle))).toEqual([100, 200, 400, 800]);
  });

  it('stays within ±jitter of the base and never above the maximum', () => {
    for (let failures = 1; failures <= 30; failures++) {
      const base = Math.min(10_000, 100 * 2 ** (failures - 1));
      const low = nextRetryDelay(failures, policy, undefined, () => 0);
      const high = nextRetryDelay(failures, policy, undefined, () => 0.999999);
      expect(low).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(high).toBeLessThanOrEqual(Math.ceil(base * 1.2));
      expect(high).toBeGreaterThan(low);
    }
  });

  it('takes the server Retry-After over the backoff, capped by maxRetryAfterMs', () => {
    expect(nextRetryDelay(1, policy, 5000)).toBe(5000);
    expect(nextRetryDelay(1, { ...policy, maxRetryAfterMs: 2000 }, 5000)).toBe(2000);
    expect(nextRetryDelay(7, policy, 0)).toBe(0);
  });
});
