// Collectors sharing one data directory never append to the same part file. Real collector
// processes on one raw store: with different instance ids (flag, environment, or the default
// <hostname>-<pid>) each writes its own files, and with concurrent clients every acknowledged event
// is stored exactly once and every line parses; a second collector claiming an instance id in use
// refuses to start with a clear error and the first keeps serving; a collector killed with kill -9
// and started again with its id takes its lock back at once.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_KEY, partFiles, readStore } from '../helpers/collector.js';
import { spawnCollectorCli, type CollectorProcess } from '../helpers/collector-process.js';
import { eventually } from '../helpers/eventually.js';
import { expectEachOnce, expectHealthy, startNormalClient, type NormalClient } from '../helpers/normal-client.js';
import { writeTrackingPlan } from '../helpers/tracking-plan.js';

/** Acknowledged events each client reaches before the test stops it. */
const PER_CLIENT = 1500;

let temp: string;
let running: CollectorProcess[] = [];
afterEach(async () => {
  for (const collector of running) collector.child.kill('SIGKILL');
  await Promise.all(running.map((collector) => collector.exited));
  running = [];
  rmSync(temp, { recursive: true, force: true });
});

/** A fresh schema dir and data dir, and a way to start collectors on them. */
function store(): { data: string; start(args?: string[], env?: Record<string, string>): Promise<CollectorProcess> } {
  temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-shared-dir-'));
  const schemas = path.join(temp, 'schemas');
  const data = path.join(temp, 'data');
  writeTrackingPlan(schemas);
  return {
    data,
    start: async (args = [], env = {}) => {
      const collector = await spawnCollectorCli(['--schemas', schemas, '--data', data, '--write-key', SERVER_KEY, '--port', '0', ...args], env);
      running.push(collector);
      return collector;
    },
  };
}

/** Clients (two per collector) until each has PER_CLIENT events acknowledged; resolves with what they acknowledged. */
async function load(collectors: readonly CollectorProcess[]): Promise<Set<string>> {
  const clients: NormalClient[] = collectors.flatMap((collector) => [startNormalClient(() => collector.url), startNormalClient(() => collector.url)]);
  await Promise.all(
    clients.map(async (client) => {
      await eventually(() => client.acked.size >= PER_CLIENT, { timeoutMs: 60_000, what: `${PER_CLIENT} events acknowledged to a client` });
      await client.stop();
    }),
  );
  for (const client of clients) expect([...client.refusals], 'statuses other than 200').toEqual([]);
  return new Set(clients.flatMap((client) => [...client.acked]));
}

const stop = async (collector: CollectorProcess): Promise<void> => {
  collector.child.kill('SIGTERM');
  expect(await collector.exited).toBe(0);
};

/** The `part-<id>.jsonl` names in a store's good side. */
const partNames = (data: string): string[] => [...new Set(partFiles(path.join(data, 'good')).map((file) => path.basename(file)))].sort();

describe('collectors sharing a data directory', () => {
  it('with different instance ids (flag, environment): each its own part files, every acknowledged event once, every line whole', { timeout: 120_000 }, async () => {
    const { data, start } = store();
    const [a, b] = await Promise.all([start(['--instance-id', 'collector-a']), start([], { TRACKLANE_INSTANCE_ID: 'collector-b' })]);
    expect(readFileSync(path.join(data, 'instance-collector-a.lock'), 'utf8')).toContain(`"pid":${a.child.pid}`);
    expect(readFileSync(path.join(data, 'instance-collector-b.lock'), 'utf8')).toContain(`"pid":${b.child.pid}`);
    const acked = await load([a, b]);
    await Promise.all([stop(a), stop(b)]);
    expect(partNames(data)).toEqual(['part-collector-a.jsonl', 'part-collector-b.jsonl']);
    expectEachOnce(acked, readStore(data, 'good')); // readStore throws on a line that does not parse
    // Stopped cleanly: the locks are released.
    expect(existsSync(path.join(data, 'instance-collector-a.lock'))).toBe(false);
  });

  it('with the default instance id: two processes on one host differ by pid', { timeout: 120_000 }, async () => {
    const { data, start } = store();
    const [a, b] = await Promise.all([start(), start()]);
    const acked = await load([a, b]);
    await Promise.all([stop(a), stop(b)]);
    const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_');
    expect(partNames(data)).toEqual([`part-${host}-${a.child.pid}.jsonl`, `part-${host}-${b.child.pid}.jsonl`].sort());
    expectEachOnce(acked, readStore(data, 'good'));
  });

  it('a second collector claiming an instance id in use refuses to start, with a clear error; the first keeps serving', { timeout: 120_000 }, async () => {
    const { data, start } = store();
    const first = await start(['--instance-id', 'same']);
    const client = startNormalClient(() => first.url);
    const refused = await start(['--instance-id', 'same']).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/collector exited \(1\) before listening/);
    expect(refused).toMatch(/tracklane-collector: instance id "same" is in use in .+ \(instance-same\.lock: held by pid \d+ on .+, renewed while this one waited\); give each collector sharing a data directory its own --instance-id \(TRACKLANE_INSTANCE_ID\)/);
    expect(refused).not.toMatch(/\n\s+at /);
    // The same through the environment.
    await expect(start([], { TRACKLANE_INSTANCE_ID: 'same' })).rejects.toThrow(/instance id "same" is in use/);

    await expectHealthy(first.url);
    await eventually(() => client.acked.size >= PER_CLIENT, { timeoutMs: 60_000, what: `${PER_CLIENT} events acknowledged to the client` });
    await client.stop();
    expect([...client.refusals]).toEqual([]);
    await stop(first);
    expect(partNames(data)).toEqual(['part-same.jsonl']);
    expectEachOnce(client.acked, readStore(data, 'good'));
  });

  it('a collector killed with kill -9 and started again with its instance id takes its lock back at once and appends to its file', { timeout: 120_000 }, async () => {
    const { data, start } = store();
    const first = await start(['--instance-id', 'mine']);
    const before = await load([first]);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(path.join(data, 'instance-mine.lock')), 'the lock a kill -9 leaves behind').toBe(true);

    // Its predecessor's pid is gone from this host: the lock is taken over without waiting out its lease.
    const second = await start(['--instance-id', 'mine']);
    expect(readFileSync(path.join(data, 'instance-mine.lock'), 'utf8')).toContain(`"pid":${second.child.pid}`);
    const after = await load([second]);
    await stop(second);
    expect(partNames(data)).toEqual(['part-mine.jsonl']);
    expectEachOnce(new Set([...before, ...after]), readStore(data, 'good'));
  });
});
