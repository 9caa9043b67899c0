// Slow clients against the real CLI process: headers or a body sent a byte at a time (slowloris) are
// cut when the configured timeout runs out (Node checks only every connectionsCheckingInterval,
// 30 s by default: the collector sets it), and clients that hold every request slot get the others
// a 503 with Retry-After, never a hang. Meanwhile /healthz answers and a normal client's
// acknowledged events are all stored once.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_KEY } from '../helpers/collector.js';
import { memoryOf, postTo, spawnLimitedCollector, startNormalClient, storedCounts, type LimitedCollector } from '../helpers/hostile-load.js';
import { batch, envelope } from '../helpers/tracking-plan.js';

const LIMITS = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, maxConcurrentRequests: 3 };

let collector: LimitedCollector;

beforeAll(async () => {
  collector = await spawnLimitedCollector(LIMITS);
});

afterAll(() => collector?.close());

interface SlowClient {
  /** Resolves when the collector closes the connection: after how long, and the status line it sent (if any). */
  closed: Promise<{ ms: number; statusLine: string }>;
  destroy(): void;
}

/** A raw connection that sends `head` and then `drip` every 100 ms, as long as the collector keeps it open. */
function slowClient(head: string, drip: string): SlowClient {
  const { port, hostname } = new URL(collector.url);
  const socket = net.connect(Number(port), hostname);
  const started = performance.now();
  let received = '';
  socket.setEncoding('utf8').on('data', (text: string) => (received += text));
  socket.on('error', () => undefined);
  socket.write(head);
  const timer = setInterval(() => socket.writable && socket.write(drip), 100);
  const closed = new Promise<{ ms: number; statusLine: string }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: performance.now() - started, statusLine: received.split('\r\n')[0]! });
    }),
  );
  return { closed, destroy: () => socket.destroy() };
}

const REQUEST_HEAD = `POST /v1/batch HTTP/1.1\r\nHost: collector\r\nAuthorization: Bearer ${SERVER_KEY}\r\nContent-Type: application/json\r\n`;

const healthy = async (): Promise<void> => expect(await collector.health()).toEqual([200, 200]);

describe('header and body timeouts hold to what is configured', () => {
  it('slow headers (a header line every 100 ms) are cut at headersTimeoutMs (1 s), not at 30 s', async () => {
    const normal = startNormalClient(collector.url);
    const slow = slowClient('POST /v1/batch HTTP/1.1\r\nHost: collector\r\n', 'X-Slow: 1\r\n');
    const { ms, statusLine } = await slow.closed;
    await normal.stop();
    expect(statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(ms).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
    // Checked every 250 ms here (a quarter of the timeout, at most 1 s): within that, plus a loaded machine's delays.
    expect(ms).toBeLessThan(LIMITS.headersTimeoutMs + 1000);
    await healthy();
    expect([...storedCounts(collector.dataDir, normal.acked)]).toEqual([[1, normal.acked.size]]);
  });

  it('a body sent a byte every 100 ms is cut at requestTimeoutMs (2 s)', async () => {
    const slow = slowClient(`${REQUEST_HEAD}Content-Length: 100000\r\n\r\n{"events":[`, ' ');
    const { ms, statusLine } = await slow.closed;
    expect(statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(ms).toBeGreaterThanOrEqual(LIMITS.requestTimeoutMs - 50);
    expect(ms).toBeLessThan(LIMITS.requestTimeoutMs + 1000);
    await healthy();
  });

  it('a connection that sends nothing is closed at headersTimeoutMs', async () => {
    const idle = slowClient('', '');
    const { ms } = await idle.closed;
    expect(ms).toBeLessThan(LIMITS.headersTimeoutMs + 1000);
  });
});

describe('requests in flight', () => {
  it('clients holding all maxConcurrentRequests slots: the next request gets 503 with Retry-After at once; the slots come back when they are cut', async () => {
    const before = memoryOf(collector.pid);
    const holders = Array.from({ length: LIMITS.maxConcurrentRequests }, () => slowClient(`${REQUEST_HEAD}Content-Length: 100000\r\n\r\n{"events":[`, ' '));
    // The holders' heads are in: their requests hold a slot each once the collector has read them.
    let refused = await postTo(collector.url, '/v1/batch', JSON.stringify(batch([envelope()])));
    for (let tries = 0; refused.status === 200 && tries < 20; tries++) refused = await postTo(collector.url, '/v1/batch', JSON.stringify(batch([envelope()])));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json).toEqual({ error: 'the collector is at its limit of requests in flight; retry later' });
    // Probes are not batch requests: they still answer.
    await healthy();

    // A tracker retries its 503s: once requestTimeoutMs has cut the holders, its batches land.
    const normal = startNormalClient(collector.url);
    const cut = await Promise.all(holders.map((holder) => holder.closed));
    for (const { statusLine } of cut) expect(statusLine).toBe('HTTP/1.1 408 Request Timeout');
    await normal.acknowledged(100);
    await normal.stop();
    expect([...storedCounts(collector.dataDir, normal.acked)]).toEqual([[1, normal.acked.size]]);
    expect(memoryOf(collector.pid).peak - before.rss).toBeLessThan(64 * 1024 * 1024);
    await healthy();
  });
});
