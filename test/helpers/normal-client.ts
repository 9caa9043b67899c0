import http from 'node:http';
import { afterAll, beforeAll, expect } from 'vitest';
import { SERVER_KEY, httpRequest, startCollector, type StoredRecord, type TestCollector } from './collector.js';
import { batch, envelope } from './tracking-plan.js';

/** A well-behaved client sending beside a hostile one: what it had acknowledged, and how it fared. */
export interface NormalClient {
  /** Ids of the events answered 200. */
  readonly acked: Set<string>;
  /** Statuses other than 200 it got (each followed by a retry of the same batch). */
  readonly refusals: Map<number, number>;
  /** Stops after the batch in flight is acknowledged; resolves once it is. */
  stop(): Promise<void>;
}

/**
 * Posts batches of `batchSize` fresh events to `/v1/batch` with a server key in the Authorization
 * header, one at a time, like a tracker: the same batch again until it is answered 200. `url()` is
 * asked before each attempt (a restarted collector has a new port). It starts at most
 * `requestsPerSecond` requests a second, as a tracker batching its events does: sending as fast as
 * loopback answers, four of them passed the collector's default limit of 200 requests a second per
 * key on a fast runtime and got 429s no real client would.
 */
export function startNormalClient(url: () => string, options: { batchSize?: number; key?: string; requestsPerSecond?: number } = {}): NormalClient {
  const { batchSize = 20, key = SERVER_KEY, requestsPerSecond = 40 } = options;
  const interval = 1000 / requestsPerSecond;
  let nextStart = 0;
  const paced = async (): Promise<void> => {
    const wait = nextStart - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    nextStart = Math.max(nextStart, performance.now() - interval) + interval;
  };
  const acked = new Set<string>();
  const refusals = new Map<number, number>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const events = Array.from({ length: batchSize }, () => envelope());
      const body = JSON.stringify(batch(events));
      for (;;) {
        await paced();
        const status = await postBatch(agent, url(), body, key).catch(() => 0);
        if (status === 200) break;
        refusals.set(status, (refusals.get(status) ?? 0) + 1);
        // A tracker backs off; 10 ms keeps the test quick while the collector restarts or recovers.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const event of events) acked.add(event.id);
    }
  })();
  return {
    acked,
    refusals,
    stop: async () => {
      stopping = true;
      await loop;
      agent.destroy();
    },
  };
}

/** Every acknowledged id is among the stored good records exactly once. */
export function expectEachOnce(acked: ReadonlySet<string>, stored: readonly StoredRecord[]): void {
  const counts = new Map<string, number>();
  for (const record of stored) {
    const id = record.envelope?.id;
    if (id !== undefined && acked.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const missing = [...acked].filter((id) => !counts.has(id));
  const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  expect(missing, 'acknowledged, not stored').toEqual([]);
  expect(twice, 'stored more than once').toEqual([]);
  expect(acked.size).toBeGreaterThan(0);
}

/** `/healthz` and `/readyz` both answer 200. */
export async function expectHealthy(base: string): Promise<void> {
  expect((await httpRequest(new URL('/healthz', base), 'GET', {})).status).toBe(200);
  expect((await httpRequest(new URL('/readyz', base), 'GET', {})).status).toBe(200);
}

/**
 * A collector for the tests of one describe block, with a normal client sending beside them from
 * the start; after the last test, every event it had acknowledged must be stored once.
 */
export function collectorWithNormalClient(afterwards: (collector: TestCollector) => void = () => undefined): { readonly collector: TestCollector; readonly normal: NormalClient } {
  let collector: TestCollector | undefined;
  let normal: NormalClient | undefined;
  beforeAll(async () => {
    collector = await startCollector();
    normal = startNormalClient(() => collector!.url);
  });
  afterAll(async () => {
    await normal?.stop();
    if (collector && normal) {
      expectEachOnce(normal.acked, collector.records('good'));
      afterwards(collector);
    }
    await collector?.close();
  });
  return {
    get collector() {
      return collector!;
    },
    get normal() {
      return normal!;
    },
  };
}

/** POSTs a batch body to `/v1/batch` with `key` as a bearer token; resolves with the status (rejects on a network error). */
export function postBatch(agent: http.Agent, base: string, body: string, key = SERVER_KEY): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL('/v1/batch', base),
      { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
