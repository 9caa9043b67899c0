import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectorDestination, isTracklaneError, type Envelope } from '@tracklane/core';
import { createNodeTracker, type NodeTracker, type NodeTrackerOptions } from './node-tracker.js';
import { eventually } from '../../../../test/helpers/eventually.js';

const CLICK = 'iglu:com.acme/click/jsonschema/1-0-0';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A collector stub on loopback: answers 200 (or `status`) and keeps every event it accepted. */
async function startCollector(): Promise<{ url: string; events: Envelope[]; gzipped: number; status: number; failNext: number }> {
  const state = { url: '', events: [] as Envelope[], gzipped: 0, status: 200, failNext: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') {
        state.gzipped++;
        body = gunzipSync(body);
      }
      const status = state.failNext-- > 0 ? 500 : state.status;
      if (status === 200) state.events.push(...(JSON.parse(body.toString('utf8')) as { events: Envelope[] }).events);
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return state;
}

function tracker(options: Partial<NodeTrackerOptions> & Pick<NodeTrackerOptions, 'destinations'>): NodeTracker {
  const created = createNodeTracker({ appId: 'test-app', warn: () => undefined, ...options });
  cleanups.push(() => created.shutdown({ timeoutMs: 1000 }));
  return created;
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklane-node-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('createNodeTracker configuration', () => {
  it('throws a clear INVALID_CONFIG error without a destination', () => {
    const error = thrown(() => createNodeTracker({ appId: 'a', destinations: [] }));
    expect(isTracklaneError(error) && error.code).toBe('INVALID_CONFIG');
    expect(String(error)).toMatch(/`destinations` must list at least one destination/);
  });

  it('throws a clear error for an invalid collector URL', () => {
    const invalid = thrown(() => createNodeTracker({ appId: 'a', destinations: [collectorDestination({ url: 'not a url', writeKey: 'k' })] }));
    expect(isTracklaneError(invalid) && invalid.code).toBe('INVALID_CONFIG');
    expect(String(invalid)).toMatch(/`url` is not a valid URL: "not a url"/);
    expect(() => collectorDestination({ url: 'ftp://example.com', writeKey: 'k' })).toThrow(/must be http\(s\)/);
  });

  it('throws when another tracker of this process already uses the spool directory', async () => {
    const collector = await startCollector();
    const dir = tempDir();
    const destinations = [collectorDestination({ url: collector.url, writeKey: 'k' })];
    tracker({ destinations, spool: { dir } });
    expect(() => createNodeTracker({ appId: 'a', destinations, spool: { dir } })).toThrow(/in use by another tracker in this process/);
  });
});

describe('NodeTracker', () => {
  it('delivers events over HTTP, gzipping large batches', async () => {
    const collector = await startCollector();
    const t = tracker({ destinations: [collectorDestination({ url: collector.url, writeKey: 'k' })] });
    const ids = Array.from({ length: 50 }, (_, n) => t.track({ schema: CLICK, data: { n } }));
    await t.flush();
    expect(collector.events.map((e) => e.id)).toEqual(ids);
    expect(collector.events[0]).toMatchObject({ app: { id: 'test-app', platform: 'srv' }, tracker: { name: 'tracklane-node' } });
    expect(collector.gzipped).toBe(1);
    expect(t.getStats()).toMatchObject({ tracked: 50, delivered: 50, queued: 0, dropped: {} });
  });

  it('shutdown is idempotent and later track() calls are dropped as after_shutdown', async () => {
    const collector = await startCollector();
    const t = tracker({ destinations: [collectorDestination({ url: collector.url, writeKey: 'k' })] });
    t.track({ schema: CLICK, data: {} });
    await Promise.all([t.shutdown(), t.shutdown()]);
    await t.shutdown();
    expect(collector.events).toHaveLength(1);
    expect(t.track({ schema: CLICK, data: {} })).toBeUndefined();
    expect(t.getStats().dropped).toEqual({ after_shutdown: 1 });
  });

  it('drops invalid events as `invalid`, warns once per problem and never throws', async () => {
    const collector = await startCollector();
    const warn = vi.fn();
    const t = tracker({ destinations: [collectorDestination({ url: collector.url, writeKey: 'k' })], warn });
    const bad: unknown[] = [
      null,
      42,
      'click',
      { schema: 'iglu:com.acme/click/jsonschema/1.0.0', data: {} },
      { schema: 'com.acme/click', data: {} },
      { schema: CLICK, data: 'not an object' },
      { schema: CLICK, data: [1] },
      { schema: CLICK },
    ];
    for (const event of [...bad, ...bad]) expect(t.track(event as never)).toBeUndefined();
    expect(t.getStats().dropped).toEqual({ invalid: bad.length * 2 });
    // One warning per distinct problem (not an object / bad schema URI / bad data), never repeated.
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn.mock.calls.map(([message]) => String(message)).join('\n')).toMatch(/not an Iglu URI/);
    await t.flush();
    expect(collector.events).toEqual([]);
  });

  it('drops an event that cannot be serialized alone: the spool holds and sends every later event', async () => {
    const collector = await startCollector();
    const dir = tempDir();
    const warn = vi.fn();
    const dropped: [string, string][] = [];
    const t = tracker({
      destinations: [collectorDestination({ url: collector.url, writeKey: 'k' })],
      spool: { dir },
      warn,
      hooks: { onDropped: (events, reason) => events.forEach((e) => dropped.push([e.id, reason])) },
    });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const poisoned = [
      t.track({ schema: CLICK, data: cycle }),
      t.track({ schema: CLICK, data: { amount: 10n } }),
      t.track({ schema: CLICK, data: { toJSON: () => { throw new Error('no'); } } }),
      t.track({ schema: CLICK, data: new Proxy({}, { ownKeys: () => { throw new Error('no'); } }) }),
      t.track({ schema: CLICK, data: {} }, { purpose: Symbol('p') as never }),
    ];
    const ids = Array.from({ length: 1000 }, (_, n) => t.track({ schema: CLICK, data: { n } }));
    await t.flush();
    // Every later event once. Batches go out concurrently, so they may land in any order (on Node
    // 24 in CI a later batch landed first).
    expect(collector.events.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(dropped).toEqual(poisoned.map((id) => [id, 'invalid']));
    expect(t.getStats()).toMatchObject({ delivered: 1000, queued: 0, dropped: { invalid: 5 } });
    expect(warn).toHaveBeenCalledTimes(1);
    await t.shutdown();
    // Nothing of the poisoned events reached the log: a restart finds it empty and whole.
    const log = fs.readFileSync(path.join(dir, 'collector.log'), 'utf8');
    expect(log.split('\n').filter((line) => line.startsWith('+'))).toHaveLength(1000);
    for (const id of poisoned) expect(log).not.toContain(id);
  });

  it('keeps events in the spool across a restart while the collector fails, then delivers them', async () => {
    const collector = await startCollector();
    collector.status = 503;
    const dir = tempDir();
    const destinations = [collectorDestination({ url: collector.url, writeKey: 'k' })];
    // A long backoff: no retry of the first tracker can be in flight when the collector recovers.
    const first = createNodeTracker({ appId: 'a', destinations, spool: { dir }, warn: () => undefined, retry: { initialBackoffMs: 60_000 } });
    const ids = Array.from({ length: 20 }, (_, n) => first.track({ schema: CLICK, data: { n } }));
    // Its first attempt must have been answered (503) before the collector answers 200 below, or the
    // collector could accept that attempt too and receive every event twice.
    await eventually(() => expect(first.getStats().retried).toBeGreaterThanOrEqual(ids.length), { timeoutMs: 4000, what: 'the first tracker to see the 503' });
    await first.shutdown({ timeoutMs: 200 });
    expect(first.getStats().delivered).toBe(0);

    collector.status = 200;
    const second = tracker({ destinations, spool: { dir } });
    await second.flush();
    expect(collector.events.map((e) => e.id)).toEqual(ids);
    expect(second.getStats()).toMatchObject({ delivered: 20, queued: 0, dropped: {} });
  });

  it('keeps the process alive while flush() waits out a retry backoff', { timeout: 60_000 }, async () => {
    // Core timers are unref'd: without the Node tracker's guard this script would exit with code 13
    // (unsettled top-level await) during the backoff after the first 500, its event undelivered.
    const collector = await startCollector();
    collector.failNext = 1;
    const script = [
      "import { collectorDestination, createNodeTracker } from '@tracklane/node';",
      `const t = createNodeTracker({ appId: 'a', destinations: [collectorDestination({ url: '${collector.url}', writeKey: 'k' })] });`,
      "t.track({ schema: 'iglu:com.acme/click/jsonschema/1-0-0', data: {} });",
      'await t.flush();',
      'console.log(`delivered ${t.getStats().delivered}`);',
    ].join('\n');
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
    expect(stdout.trim()).toBe('delivered 1');
    expect(collector.events).toHaveLength(1);
  });

  it('does not keep the process alive on its own: a script that never flushes or shuts down exits', { timeout: 60_000 }, async () => {
    // Events queued, a flush interval armed and a retry backoff running: none of it holds the process.
    const collector = await startCollector();
    collector.status = 503;
    const script = [
      "import { collectorDestination, createNodeTracker } from '@tracklane/node';",
      `const t = createNodeTracker({ appId: 'a', destinations: [collectorDestination({ url: '${collector.url}', writeKey: 'k' })], flushIntervalMs: 50, retry: { initialBackoffMs: 60_000 } });`,
      "for (let n = 0; n < 3; n++) t.track({ schema: 'iglu:com.acme/click/jsonschema/1-0-0', data: { n } });",
      // Once the first attempt was answered, the script has nothing left to do of its own.
      'const answered = setInterval(() => {',
      '  if (t.getStats().retried < 3) return;',
      '  clearInterval(answered);',
      '  console.log(`queued ${t.getStats().queued}, retried ${t.getStats().retried}`);',
      '}, 10);',
    ].join('\n');
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 30_000 });
    expect(stdout.trim()).toBe('queued 3, retried 3'); // it was in its backoff when the script ended
    expect(Date.now() - started, 'ms until the process exited').toBeLessThan(20_000);
  });
});
