import { setImmediate as nextTick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collectorDestination, createNodeTracker, type NodeTrackerOptions } from '@tracklane/node';
import { startFlakyServer, type FlakyServer } from './helpers/flaky-server.js';

const CHUNK = 1000;

/** Tracks `count` events in chunks (yielding between them, as a busy service would), then flushes. */
async function trackAndFlush(server: FlakyServer, count: number, options: Partial<NodeTrackerOptions>) {
  const warnings: string[] = [];
  const tracker = createNodeTracker({
    appId: 'e2e-delivery',
    destinations: [collectorDestination({ url: server.url, writeKey: 'e2e' })],
    // The server's `timeout` failure never answers: a short timeout keeps the run short.
    requestTimeoutMs: 1000,
    warn: (message) => warnings.push(message),
    ...options,
  });
  const ids: string[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += CHUNK) {
    for (let j = i; j < Math.min(count, i + CHUNK); j++) {
      const id = tracker.track({ schema: 'iglu:dev.tracklane.e2e/order/jsonschema/1-0-0', data: { n: j, sku: `sku-${j % 97}` } });
      if (id !== undefined) ids.push(id);
    }
    await nextTick();
  }
  await tracker.flush();
  const seconds = (performance.now() - started) / 1000;
  const stats = tracker.getStats();
  await tracker.shutdown();
  return { ids, stats, warnings, seconds };
}

function report(label: string, server: FlakyServer, result: Awaited<ReturnType<typeof trackAndFlush>>): void {
  const { requests, ok, failures, connections, duplicates } = server.stats;
  console.log(
    `[${label}] ${result.ids.length} events in ${result.seconds.toFixed(1)} s; requests ${requests} (ok ${ok}, failed ${JSON.stringify(failures)}), ` +
      `connections ${connections}, retried ${result.stats.retried}, duplicates ${duplicates}`,
  );
}

function expectZeroLoss(server: FlakyServer, result: Awaited<ReturnType<typeof trackAndFlush>>, count: number): void {
  expect(result.ids).toHaveLength(count);
  const missing = result.ids.filter((id) => !server.received.has(id));
  expect(missing.length, `ids that never arrived, e.g. ${missing.slice(0, 3).join(', ')}`).toBe(0);
  expect(result.stats).toMatchObject({ tracked: count, delivered: count, queued: 0, inFlight: 0, dropped: {} });
  expect(result.warnings).toEqual([]);
  // The failures really happened: every kind, about 30% of requests.
  const failed = Object.values(server.stats.failures).reduce((a, b) => a + b, 0);
  expect(failed / server.stats.requests).toBeGreaterThan(0.15);
}

describe('@tracklane/node delivery to a flaky collector', () => {
  it('delivers 100,000 events at least once with zero drops (fast retry settings)', { timeout: 120_000 }, async () => {
    await using server = await startFlakyServer({ seed: 20_251_125 });
    const result = await trackAndFlush(server, 100_000, {
      retry: { initialBackoffMs: 50, maxBackoffMs: 1000, maxRetryAfterMs: 250 },
    });
    report('fast retry', server, result);
    expectZeroLoss(server, result, 100_000);
    for (const count of Object.values(server.stats.failures)) expect(count).toBeGreaterThan(0);
    // Keep-alive: a handful of connections (re-opened only after resets and timeouts), not one per request.
    expect(server.stats.connections).toBeLessThan(server.stats.requests / 2);
  });

  it('delivers 10,000 events with the default retry policy (500 ms backoff, Retry-After honoured in full)', { timeout: 120_000 }, async () => {
    await using server = await startFlakyServer({ seed: 7 });
    const result = await trackAndFlush(server, 10_000, {});
    report('default retry', server, result);
    expectZeroLoss(server, result, 10_000);
  });
});
