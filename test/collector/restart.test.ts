// A collector killed with SIGKILL in the middle of a load loses no event it acknowledged: every id
// answered with a 200 is in the raw store after a restart on the same data dir. And it stores none
// twice: the restarted collector fills its dedup window from the store before it listens, so a batch
// retried because the kill cut off its 200 (written, never answered) is answered as duplicates.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SERVER_KEY, partFiles, readStore } from '../helpers/collector.js';
import { spawnCollectorCli, type CollectorProcess } from '../helpers/collector-process.js';
import { postBatch } from '../helpers/normal-client.js';
import { batch, envelope, writeTrackingPlan } from '../helpers/tracking-plan.js';

const SENDERS = 4;
const BATCH = 50;
/** Acknowledged events before the kill, and in all. */
const KILL_AT = 3_000;
const TOTAL = 8_000;

describe('collector restart mid-load', () => {
  it('keeps every acknowledged event across a SIGKILL and restart', { timeout: 120_000 }, async () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-restart-'));
    const schemas = path.join(temp, 'schemas');
    const data = path.join(temp, 'data');
    writeTrackingPlan(schemas);
    const args = ['--schemas', schemas, '--data', data, '--write-key', SERVER_KEY, '--port', '0'];
    const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
    let current: CollectorProcess | undefined;
    try {
      const first = await spawnCollectorCli(args);
      current = first;
      const acked = new Set<string>();
      const attempted = new Set<string>();
      let failures = 0;
      let killed = false;
      let restarted: Promise<void> | undefined;

      const sender = async (): Promise<void> => {
        while (acked.size < TOTAL) {
          const events = Array.from({ length: BATCH }, () => envelope());
          for (const event of events) attempted.add(event.id);
          // Like a tracker: the same batch until it is acknowledged.
          for (;;) {
            const status = await postBatch(agent, current!.url, JSON.stringify(batch(events))).catch(() => 0);
            if (status === 200) {
              for (const event of events) acked.add(event.id);
              break;
            }
            failures++;
            await (restarted ?? sleep(20));
          }
          if (!killed && acked.size >= KILL_AT) {
            killed = true;
            first.child.kill('SIGKILL'); // other senders have requests in flight right now
            restarted = (async () => {
              await first.exited;
              current = await spawnCollectorCli(args);
              restarted = undefined;
            })();
          }
        }
      };
      await Promise.all(Array.from({ length: SENDERS }, sender));
      expect(first.child.signalCode).toBe('SIGKILL');
      expect(failures, 'the kill cut some requests short').toBeGreaterThan(0);

      // Kill the second instance too: what it acknowledged must already be on disk.
      current.child.kill('SIGKILL');
      await current.exited;

      const stored = readStore(data, 'good', { allowTorn: true }).map((r) => r.envelope!.id);
      const storedSet = new Set(stored);
      const lost = [...acked].filter((id) => !storedSet.has(id));
      expect(lost, 'acknowledged but not in the store').toEqual([]);
      expect(acked.size).toBeGreaterThanOrEqual(TOTAL);
      // Only events that were sent are stored, and none twice.
      expect([...storedSet].every((id) => attempted.has(id))).toBe(true);
      const duplicates = stored.length - storedSet.size;
      console.log(`restart: ${acked.size} acknowledged, ${stored.length} stored (${duplicates} twice), ${failures} failed attempts`);
      expect(duplicates, 'events stored twice').toBe(0);
      expect(current.output()).toMatch(/"msg":"dedup window filled from the sink","sink":"file","ids":\d{4,}/);
      expect(readStore(data, 'bad', { allowTorn: true })).toEqual([]);
      // Each instance wrote its own part files (named by pid), so a torn tail never glues to a record.
      const instances = new Set(partFiles(path.join(data, 'good')).map((file) => path.basename(file)));
      expect(instances.size).toBe(2);
    } finally {
      agent.destroy();
      current?.child.kill('SIGKILL');
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
