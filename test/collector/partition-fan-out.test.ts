// A client cannot spread the raw store: partitions follow the time the collector received an event,
// not the time the event claims. Batches of 1,000 events with 1,000 different hours each (and one
// from year 10000) against the real collector process under `ulimit -n 1024`: every batch is
// answered 200, the collector opens a handful of descriptors, /readyz stays ready, and a normal
// client sending at the same time has each acknowledged event stored once. Before: the first such
// batch opened 1,000 part files, was answered 503 (EMFILE) and took /readyz down; year 10000 landed
// in `date=+010000-01`.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_KEY, partFiles, readStore } from '../helpers/collector.js';
import { spawnCollectorCli } from '../helpers/collector-process.js';
import { eventually } from '../helpers/eventually.js';
import { expectEachOnce, expectHealthy, startNormalClient } from '../helpers/normal-client.js';
import { batch, envelope, writeTrackingPlan } from '../helpers/tracking-plan.js';

const HOUR_MS = 3_600_000;
const BATCHES = 4;
const PER_BATCH = 1000;

const openDescriptors = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

describe('partition fan-out', () => {
  it('1,000 hours in one batch, four times, under ulimit -n 1024: 200 each time, a handful of descriptors, ready throughout', { timeout: 120_000 }, async () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-fan-out-'));
    const schemas = path.join(temp, 'schemas');
    const data = path.join(temp, 'data');
    writeTrackingPlan(schemas);
    const collector = await spawnCollectorCli(['--schemas', schemas, '--data', data, '--write-key', SERVER_KEY, '--port', '0'], {}, { maxOpenFiles: 1024 });
    try {
      const pid = collector.child.pid!;
      const normal = startNormalClient(() => collector.url);
      // Idle once the normal client's connections are open: they are not the hostile batches' doing
      // (counted before them, the descriptor check failed about one run in three).
      await eventually(() => normal.acked.size >= 40, { timeoutMs: 30_000, what: 'the normal client acknowledged its first events' });
      const idle = openDescriptors(pid);
      const hostile: string[] = [];
      let most = 0;
      for (let b = 0; b < BATCHES; b++) {
        // Each batch its own 1,000 hours, starting in 1971: 4,000 different hours in all.
        const start = Date.UTC(1971, 0, 1) + b * PER_BATCH * HOUR_MS;
        const events = Array.from({ length: PER_BATCH }, (_, h) => envelope({ ts: { created: new Date(start + h * HOUR_MS).toISOString() } }));
        if (b === 0) events[0] = envelope({ ts: { created: '9999-12-31T23:59:59-23:59' } });
        const response = await fetch(`${collector.url}/v1/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(batch(events)),
        });
        expect(response.status, `batch ${b}`).toBe(200);
        expect(await response.json()).toEqual({ accepted: PER_BATCH, duplicates: 0, rejected: [] });
        hostile.push(...events.map((e) => e.id));
        most = Math.max(most, openDescriptors(pid));
        await expectHealthy(collector.url);
      }
      // The normal client keeps sending after the hostile batches too: the collector still takes its events.
      const afterHostile = normal.acked.size;
      await eventually(() => normal.acked.size >= afterHostile + 200, { timeoutMs: 30_000, what: 'the normal client acknowledged 200 more events' });
      await normal.stop();
      expect([...normal.refusals], 'statuses other than 200 the normal client got').toEqual([]);
      await expectHealthy(collector.url);
      console.log(`fan-out: ${BATCHES * PER_BATCH} events over ${BATCHES * PER_BATCH} hours; descriptors ${idle} idle, at most ${most} after a batch; normal client ${normal.acked.size} acknowledged`);
      expect(most - idle, 'descriptors the hostile batches left open').toBeLessThan(16);

      collector.child.kill('SIGTERM');
      expect(await collector.exited).toBe(0);
      const stored = readStore(data, 'good'); // every line parses
      expectEachOnce(new Set(hostile), stored);
      expectEachOnce(normal.acked, stored);
      // The store holds the receive hours of the test (two when it ran across an hour), nothing else.
      const dirs = new Set(partFiles(path.join(data, 'good')).map((file) => path.relative(path.join(data, 'good'), path.dirname(file))));
      expect(dirs.size).toBeLessThanOrEqual(2);
      for (const dir of dirs) expect(dir).toMatch(/^date=\d{4}-\d\d-\d\d\/hour=\d\d$/);
      for (const record of stored) expect(path.dirname(record.file)).toBe(path.join(data, 'good', `date=${record.receivedAt.slice(0, 10)}`, `hour=${record.receivedAt.slice(11, 13)}`));
      const far = stored.find((r) => r.envelope!.id === hostile[0])!;
      expect(far.envelope!.ts.created).toBe('9999-12-31T23:59:59-23:59');
    } finally {
      collector.child.kill('SIGKILL');
      await collector.exited;
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
