import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROBE_INTERVAL_MS, createSinkHealth } from './sink-health.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A probe whose answers the test gives, one per call. */
function scriptedProbe() {
  const pending: ((ok: boolean) => void)[] = [];
  const probe = vi.fn(() => new Promise<boolean>((resolve) => pending.push(resolve)));
  return { probe, answer: (ok: boolean) => pending.shift()!(ok) };
}

/** The health of a sink whose write just failed, probing with `probe`. */
function afterAFailure(probe: () => Promise<boolean>) {
  const health = createSinkHealth(probe);
  health.failed();
  health.probeUntilHealthy();
  return health;
}

describe('a sink\'s health', () => {
  it('is ready until a write fails, and probes every interval until a probe works', async () => {
    const { probe, answer } = scriptedProbe();
    const health = createSinkHealth(probe);
    expect(health.isHealthy()).toBe(true);
    health.failed();
    health.probeUntilHealthy();
    expect(health.isHealthy()).toBe(false);
    await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS - 1);
    expect(probe).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(probe).toHaveBeenCalledTimes(1);
    answer(false);
    await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS);
    expect(probe).toHaveBeenCalledTimes(2);
    expect(health.isHealthy()).toBe(false);
    answer(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(health.isHealthy()).toBe(true);
    await vi.advanceTimersByTimeAsync(10 * PROBE_INTERVAL_MS);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it('takes a probe that started before the latest failure for no proof of health', async () => {
    const { probe, answer } = scriptedProbe();
    const health = afterAFailure(probe);
    await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS);
    health.failed();
    answer(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(health.isHealthy()).toBe(false);
    await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS);
    answer(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(health.isHealthy()).toBe(true);
  });

  it('is ready again at a write that works, and a probe that throws counts as failed', async () => {
    const probe = vi.fn(() => Promise.reject(new Error('still down')));
    const health = afterAFailure(probe);
    await vi.advanceTimersByTimeAsync(3 * PROBE_INTERVAL_MS);
    expect(probe).toHaveBeenCalledTimes(3);
    expect(health.isHealthy()).toBe(false);
    health.succeeded();
    expect(health.isHealthy()).toBe(true);
  });

  it('stops probing, and waits for the probe running', async () => {
    const { probe, answer } = scriptedProbe();
    const health = afterAFailure(probe);
    await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS);
    let stopped = false;
    const stopping = health.stop().then(() => void (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    answer(false);
    await stopping;
    await vi.advanceTimersByTimeAsync(10 * PROBE_INTERVAL_MS);
    expect(probe).toHaveBeenCalledTimes(1);
  });
});
