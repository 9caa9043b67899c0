import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVER_KEY, httpRequest, readStore, type HttpAnswer } from './collector.js';
import { spawnCollectorCli, type CollectorProcess } from './collector-process.js';
import { batch, envelope, writeTrackingPlan } from './tracking-plan.js';

export interface LimitedCollector {
  process: CollectorProcess;
  url: string;
  pid: number;
  /** The file raw store it writes. */
  dataDir: string;
  /** The statuses of `GET /healthz` and `GET /readyz`. */
  health(): Promise<[number, number]>;
  /** Stops it (SIGTERM) and removes its files. */
  close(): Promise<void>;
}

/**
 * The real CLI with the test tracking plan, a file sink (`write` durability) and the server key,
 * `limits` (the rate limit lifted unless given) and any other config file fields.
 */
export async function spawnLimitedCollector(limits: Record<string, unknown>, config: Record<string, unknown> = {}): Promise<LimitedCollector> {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-limited-'));
  const schemas = path.join(temp, 'schemas');
  const dataDir = path.join(temp, 'data');
  writeTrackingPlan(schemas);
  const file = path.join(temp, 'collector.json');
  const sink = { type: 'file', dir: dataDir, durability: 'write' };
  writeFileSync(file, JSON.stringify({ port: 0, schemas: [schemas], writeKeys: [SERVER_KEY], sink, ...config, limits: { rateLimit: { requestsPerSecond: 1e9, burst: 1e9 }, ...limits } }));
  const child = await spawnCollectorCli(['--config', file]);
  const status = async (route: string): Promise<number> => (await httpRequest(new URL(route, child.url), 'GET', {})).status;
  return {
    process: child,
    url: child.url,
    pid: child.child.pid!,
    dataDir,
    health: async () => [await status('/healthz'), await status('/readyz')],
    close: async () => {
      child.child.kill('SIGTERM');
      await child.exited;
      rmSync(temp, { recursive: true, force: true });
    },
  };
}

/** `VmRSS` and `VmHWM` (peak RSS) of a process, in bytes, from `/proc/<pid>/status` (Linux). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** CPU seconds (user + system, every thread) a process has used, from `/proc/<pid>/stat`. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
}

/** A POST to `url` + `path` with the server key, on a fresh connection. A refused connection answers status 0. */
export function postTo(url: string, path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const all = { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json', ...headers };
  return httpRequest(new URL(path, url), 'POST', all, body).catch((): HttpAnswer => ({ status: 0, headers: {}, text: '', json: undefined }));
}

export interface NormalClient {
  /** Ids of every event the collector answered 200 for. */
  acked: Set<string>;
  /** Answers other than 200, by status (0: no answer). */
  refused: Map<number, number>;
  /** Resolves once at least `count` events are acknowledged. */
  acknowledged(count: number): Promise<void>;
  /** Stops after the batch in hand is acknowledged; resolves then. */
  stop(): Promise<void>;
}

/**
 * A well-behaved tracker beside an attack: batches of `batchSize` fresh events, one at a time on a
 * keep-alive connection, each sent again after a 503 (or no answer) until it is acknowledged.
 */
export function startNormalClient(url: string, batchSize = 20): NormalClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const acked = new Set<string>();
  const refused = new Map<number, number>();
  let stopping = false;
  const waiters: { count: number; resolve: () => void }[] = [];
  const send = (body: string): Promise<number> =>
    new Promise((resolve) => {
      const req = http.request(new URL('/v1/batch', url), { method: 'POST', agent, headers: { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const loop = (async () => {
    while (!stopping) {
      const events = Array.from({ length: batchSize }, () => envelope());
      const body = JSON.stringify(batch(events));
      for (;;) {
        const status = await send(body);
        if (status === 200) break;
        if (status !== 503 && status !== 0) throw new Error(`the normal client was answered ${status}`);
        refused.set(status, (refused.get(status) ?? 0) + 1);
        // A tracker backs off before it retries; a short one keeps the test short.
        await sleep(25);
      }
      for (const event of events) acked.add(event.id);
      for (const waiter of waiters.filter((w) => acked.size >= w.count)) waiter.resolve();
    }
  })();
  return {
    acked,
    refused,
    acknowledged: (count) => (acked.size >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    stop: async () => {
      stopping = true;
      await loop;
      agent.destroy();
    },
  };
}

/** How many times each acknowledged id is in the raw store's good side (every one must be 1). */
export function storedCounts(dataDir: string, ids: Iterable<string>): Map<number, number> {
  const counts = new Map<string, number>();
  for (const record of readStore(dataDir, 'good')) counts.set(record.envelope!.id, (counts.get(record.envelope!.id) ?? 0) + 1);
  const histogram = new Map<number, number>();
  for (const id of ids) {
    const n = counts.get(id) ?? 0;
    histogram.set(n, (histogram.get(n) ?? 0) + 1);
  }
  return histogram;
}

/** Latency of `GET path` probes, one after another, until stopped: the longest tells how long the event loop stalled. */
export function startProbe(url: string, path = '/healthz'): { stop(): Promise<{ probes: number; failures: number; maxMs: number }> } {
  let stopping = false;
  let probes = 0;
  let failures = 0;
  let maxMs = 0;
  const loop = (async () => {
    while (!stopping) {
      const started = performance.now();
      const answer = await httpRequest(new URL(path, url), 'GET', {}).catch(() => undefined);
      maxMs = Math.max(maxMs, performance.now() - started);
      probes++;
      if (answer?.status !== 200) failures++;
      await sleep(10);
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
      return { probes, failures, maxMs };
    },
  };
}
