import { describe, expect, it, vi, type Mock } from 'vitest';
import type { FlushOptions } from '@tracklane/core';
import { flushAfter } from './flush-after.js';

function fakeTracker(flushMs = 0): { flush: Mock<(options?: FlushOptions) => Promise<void>>; log: string[] } {
  const log: string[] = [];
  const flush = vi.fn(async (options?: FlushOptions) => {
    log.push(`flush ${options?.timeoutMs}`);
    await new Promise((resolve) => setTimeout(resolve, flushMs));
    log.push('flushed');
  });
  return { flush, log };
}

describe('flushAfter', () => {
  it('returns the handler result only after the flush, with the default 2000 ms bound', async () => {
    const tracker = fakeTracker(10);
    const handler = flushAfter(tracker, async (a: number, b: number) => {
      tracker.log.push('handler');
      return a + b;
    });
    await expect(handler(2, 3)).resolves.toBe(5);
    expect(tracker.log).toEqual(['handler', 'flush 2000', 'flushed']);
  });

  it('flushes after a failing handler and passes its error through unchanged', async () => {
    const tracker = fakeTracker();
    const failure = new Error('boom');
    const handler = flushAfter(
      tracker,
      () => {
        tracker.log.push('handler');
        throw failure;
      },
      { timeoutMs: 50 },
    );
    await expect(handler()).rejects.toBe(failure);
    expect(tracker.log).toEqual(['handler', 'flush 50', 'flushed']);
  });

  it('works with synchronous handlers and passes every argument', async () => {
    const tracker = fakeTracker();
    const handler = flushAfter(tracker, (event: { name: string }, context: { id: number }) => `${event.name}:${context.id}`);
    await expect(handler({ name: 'x' }, { id: 7 })).resolves.toBe('x:7');
    expect(tracker.flush).toHaveBeenCalledTimes(1);
  });
});
