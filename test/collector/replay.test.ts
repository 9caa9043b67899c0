// Replaying a raw store into a fresh collector gives the same set of events (each in the partition
// of the hour the target received it); replaying twice adds nothing (the second replay is all
// duplicates), also when the receiving collector restarted in between. Through the library and
// through the CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorSender, replayRawStore } from '@tracklane/collector';
import { SERVER_KEY, startCollector, type TestCollector } from '../helpers/collector.js';
import { runCollectorCli } from '../helpers/collector-process.js';
import { batch, envelope, invalidEnvelope } from '../helpers/tracking-plan.js';

const HOURS = ['2026-02-01T09:15:00.000Z', '2026-02-01T10:45:00.000Z', '2026-02-02T00:00:00.000Z'];
const PER_HOUR = 120;

let source: TestCollector;
beforeAll(async () => {
  source = await startCollector();
  for (const created of HOURS) {
    const events = Array.from({ length: PER_HOUR }, (_, i) => envelope({ ts: { created: created.replace(':00.000Z', `:${String(i % 60).padStart(2, '0')}.000Z`) } }));
    expect((await source.post(batch([...events, invalidEnvelope()]))).json).toMatchObject({ accepted: PER_HOUR });
  }
});
afterAll(() => source.close());

/** Good envelopes of a store, sorted, for comparison; each record in the partition of the hour it was received. */
const landed = (collector: TestCollector): string[] =>
  collector
    .records('good')
    .map((r) => {
      expect(path.relative(collector.dataDir, path.dirname(r.file))).toBe(path.join('good', `date=${r.receivedAt.slice(0, 10)}`, `hour=${r.receivedAt.slice(11, 13)}`));
      return JSON.stringify(r.envelope);
    })
    .sort();

/** What the CLI prints for a clean store of `total` events replayed into `to`. */
const summaryOf = (total: number, to: string, duplicates = 0) => ({
  replayed: total,
  accepted: total - duplicates,
  duplicates,
  rejected: 0,
  skippedLines: { unreadable: 0, notRecords: 0 },
  refused: [],
  to,
});

const duplicatesCounted = async (collector: TestCollector): Promise<number> =>
  [...(await collector.metrics()).matchAll(/^tracklane_collector_events_total\{outcome="duplicate",[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);

describe('replay', () => {
  it('into a fresh collector: the same events; twice: nothing new', async () => {
    await using target = await startCollector();
    const send = collectorSender(target.url, SERVER_KEY);
    const total = HOURS.length * PER_HOUR;

    expect(await replayRawStore({ from: source.dataDir, send, batchSize: 100 })).toMatchObject({ replayed: total, accepted: total, duplicates: 0 });
    expect(landed(target)).toEqual(landed(source));
    expect(target.records('bad')).toEqual([]);
    expect(await duplicatesCounted(target)).toBe(0);

    expect(await replayRawStore({ from: source.dataDir, send, batchSize: 100 })).toMatchObject({ replayed: total, accepted: 0, duplicates: total });
    expect(target.records('good')).toHaveLength(total);
    expect(await duplicatesCounted(target)).toBe(total);
  });

  it('twice, with the receiving collector restarted in between: nothing new', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tracklane-replay-restart-'));
    try {
      const total = HOURS.length * PER_HOUR;
      {
        await using target = await startCollector({ dataDir });
        expect((await replayRawStore({ from: source.dataDir, send: collectorSender(target.url, SERVER_KEY), batchSize: 100 })).replayed).toBe(total);
        expect(landed(target)).toEqual(landed(source));
      }
      // A new collector on the same raw store: its dedup window starts with the ids the store holds.
      await using restarted = await startCollector({ dataDir });
      const result = await runCollectorCli(['replay', '--from', source.dataDir, '--to', restarted.url, '--write-key', SERVER_KEY]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual(summaryOf(total, restarted.url, total));
      expect(await duplicatesCounted(restarted)).toBe(total);
      expect(landed(restarted)).toEqual(landed(source));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a time window replays only the events received in it', async () => {
    await using target = await startCollector();
    // One batch per hour of creation times, posted one after another: three receive times.
    const received = [...new Set(source.records('good').map((r) => r.receivedAt))].sort();
    expect(received).toHaveLength(HOURS.length);
    const window = { since: new Date(received[1]!), until: new Date(received[2]!) };
    const { replayed } = await replayRawStore({ from: source.dataDir, ...window, send: collectorSender(target.url, SERVER_KEY) });
    expect(replayed).toBe(PER_HOUR);
    const created = target.records('good').map((r) => r.envelope!.ts.created);
    expect(created).toHaveLength(PER_HOUR);
    expect(created.every((t) => t >= HOURS[1]! && t < HOURS[2]!)).toBe(true);
  });

  it('through `tracklane-collector replay`', { timeout: 60_000 }, async () => {
    await using target = await startCollector();
    const result = await runCollectorCli(['replay', '--from', source.dataDir, '--to', target.url, '--write-key', SERVER_KEY]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(summaryOf(HOURS.length * PER_HOUR, target.url));
    expect(landed(target)).toEqual(landed(source));

  });

  it('the CLI refuses a replay without a target, or with a bad time, with a usage message', async () => {
    const [missing, badTime] = await Promise.all([
      runCollectorCli(['replay', '--from', source.dataDir]),
      runCollectorCli(['replay', '--from', source.dataDir, '--to', 'http://127.0.0.1:1', '--write-key', 'k', '--since', 'last tuesday']),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('replay needs --from, --to and --write-key');
    expect(badTime.code).toBe(1);
    expect(badTime.stderr).toContain('--since is not a date: last tuesday');
    expect(badTime.stderr).not.toMatch(/\n\s+at /);
  });
});
