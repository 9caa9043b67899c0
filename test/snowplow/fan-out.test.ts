// One tracker, two destinations (Snowplow tp2 and the native collector) on two loopback servers:
// a failing destination never holds up the healthy one, and catches up on its own retry state.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { collectorDestination, createNodeTracker } from '@tracklane/node';
import { snowplowDestination } from '@tracklane/snowplow';
import { eventually } from '../helpers/eventually.js';

interface Receiver {
  url: string;
  /** Event ids accepted with a 200, in arrival order. */
  received: string[];
  failedRequests: number;
  failing: boolean;
  close(): Promise<void>;
}

/** A loopback server that reads ids from tp2 bodies (`data[].eid`) or /v1/batch bodies (`events[].id`). */
async function startReceiver(failing: boolean): Promise<Receiver> {
  const receiver: Receiver = { url: '', received: [], failedRequests: 0, failing, close: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (receiver.failing) {
        receiver.failedRequests++;
        return void res.writeHead(503).end();
      }
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
      const path = req.url?.split('?')[0];
      if (path === '/com.snowplowanalytics.snowplow/tp2') receiver.received.push(...body.data.map((p: { eid: string }) => p.eid));
      else if (path === '/v1/batch') receiver.received.push(...body.events.map((e: { id: string }) => e.id));
      else return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

describe('fan-out: Snowplow and the native collector from one tracker', () => {
  it.each([
    ['collector', 'snowplow'],
    ['snowplow', 'collector'],
  ] as const)('while %s answers 503, %s receives everything at once, and the failing one catches up later', async (failingName, healthyName) => {
    const receivers = { snowplow: await startReceiver(failingName === 'snowplow'), collector: await startReceiver(failingName === 'collector') };
    const tracker = createNodeTracker({
      appId: 'fan-out',
      destinations: [
        snowplowDestination({ url: receivers.snowplow.url }),
        collectorDestination({ url: receivers.collector.url, writeKey: 'k' }),
      ],
      flushIntervalMs: 10,
      retry: { initialBackoffMs: 20, maxBackoffMs: 100, jitter: 0 },
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 120; i++) ids.push(tracker.track({ schema: 'iglu:com.acme/order/jsonschema/1-0-0', data: { n: i } })!);
      const healthy = receivers[healthyName];
      const failing = receivers[failingName];

      // The receiver records ids as it reads the body, before the tracker has read the 200:
      // wait for the tracker's own view of the delivery, not the server's.
      await eventually(() => healthy.received.length >= ids.length, { timeoutMs: 10_000, what: `${healthyName} to receive every event` });
      await eventually(() => tracker.getStats().destinations[healthyName]!.delivered >= ids.length, { timeoutMs: 10_000, what: `the tracker to see ${healthyName}'s 200s` });
      await eventually(() => failing.failedRequests >= 3, { timeoutMs: 10_000, what: `${failingName} to be retried` });
      // Likewise for the 503s: with up to 4 batches in flight, the receiver can count 3 failed requests
      // before the tracker has read any of their answers.
      await eventually(() => tracker.getStats().destinations[failingName]!.retried >= 2, { timeoutMs: 10_000, what: `the tracker to see ${failingName}'s 503s` });
      // Every event once; up to 4 batches travel at once on their own connections, so in any order.
      expect([...healthy.received].sort()).toEqual([...ids].sort());
      expect(failing.received).toEqual([]);
      const during = tracker.getStats().destinations;
      expect(during[healthyName]).toMatchObject({ delivered: ids.length, queued: 0, retried: 0, dropped: {} });
      expect(during[healthyName]!.lastError).toBeUndefined();
      expect(during[failingName]).toMatchObject({ delivered: 0, queued: ids.length, lastError: 'HTTP 503', dropped: {} });
      expect(during[failingName]!.retried).toBeGreaterThanOrEqual(2);

      failing.failing = false; // the outage ends
      await tracker.flush({ timeoutMs: 10_000 });
      expect(new Set(failing.received)).toEqual(new Set(ids));
      const after = tracker.getStats().destinations;
      expect(after[failingName]).toMatchObject({ delivered: ids.length, queued: 0, inFlight: 0, dropped: {} });
      expect(after[healthyName]).toMatchObject({ delivered: ids.length, queued: 0, retried: 0 });
      expect(healthy.received).toHaveLength(ids.length); // nothing sent twice to the healthy one
    } finally {
      await tracker.shutdown();
      await Promise.all([receivers.snowplow.close(), receivers.collector.close()]);
    }
  });
});
