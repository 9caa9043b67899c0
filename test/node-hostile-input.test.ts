// Tracker poisoning, end to end: the real @tracklane/node tracker with its disk spool, sending to the
// real collector process on loopback. Events that cannot be serialized, tracked before and among
// 1,000 good ones, are dropped alone (`invalid`); every good event lands in the raw store once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorDestination, createDiskSpool, createNodeTracker } from '@tracklane/node';
import { SERVER_KEY, readStore } from './helpers/collector.js';
import { spawnCollectorCli } from './helpers/collector-process.js';
import { CLICK, writeTrackingPlan } from './helpers/tracking-plan.js';

const GOOD = 1000;

const throwing = (): never => {
  throw new Error('hostile');
};

/** What an app may pass by mistake (or an attacker through it): each is dropped alone at intake. */
function poisons(): Record<string, unknown>[] {
  const cycle: Record<string, unknown> = { target: 'loop' };
  cycle.self = cycle;
  return [
    cycle,
    { target: 'big', amount: 10n },
    Object.defineProperty({ target: 'getter' }, 'boom', { enumerable: true, get: throwing }),
    { target: 'tojson', toJSON: throwing },
    { target: 'nothing', toJSON: () => undefined },
    new Proxy({ target: 'proxy' }, { ownKeys: throwing }),
  ];
}

describe('@tracklane/node against the real collector: tracker poisoning', () => {
  it(`delivers ${GOOD} good events tracked after and among poisoned ones, each once; the poisoned ones are dropped as invalid`, { timeout: 60_000 }, async () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklane-poison-'));
    const schemas = path.join(temp, 'schemas');
    const data = path.join(temp, 'data');
    const spool = path.join(temp, 'spool');
    writeTrackingPlan(schemas);
    const collector = await spawnCollectorCli(['--schemas', schemas, '--data', data, '--write-key', SERVER_KEY, '--port', '0', '--durability', 'write']);
    try {
      const warnings: string[] = [];
      const dropped: Record<string, string> = {};
      const tracker = createNodeTracker({
        appId: 'e2e-poison',
        destinations: [collectorDestination({ url: collector.url, writeKey: SERVER_KEY })],
        spool: { dir: spool },
        warn: (message) => warnings.push(message),
        hooks: { onDropped: (events, reason) => events.forEach((e) => (dropped[e.id] = reason)) },
      });
      const poisoned: string[] = [];
      const good: string[] = [];
      for (const data of poisons()) poisoned.push(tracker.track({ schema: CLICK, data })!);
      for (let n = 0; n < GOOD; n++) {
        good.push(tracker.track({ schema: CLICK, data: { target: `t-${n}` } })!);
        // More poison among them, in the same chunks as good events.
        if (n % 100 === 50) poisoned.push(tracker.track({ schema: CLICK, data: poisons()[Math.floor(n / 100) % 6]! })!);
      }
      // JSON, but no object: the collector's to reject, for this event alone.
      const notAnObject = tracker.track({ schema: CLICK, data: { toJSON: () => 42 } })!;
      await tracker.flush();
      const stats = tracker.getStats();
      await tracker.shutdown();

      expect(poisoned.filter((id) => dropped[id] === 'invalid')).toEqual(poisoned);
      expect(dropped[notAnObject]).toBe('rejected');
      expect(stats).toMatchObject({ tracked: GOOD + poisoned.length + 1, delivered: GOOD, queued: 0, inFlight: 0, dropped: { invalid: poisoned.length, rejected: 1 } });
      expect(warnings).toEqual(['Tracklane: dropped an invalid event (it threw; see onError).']);

      const stored = readStore(data, 'good').map((record) => record.envelope!.id);
      expect(stored.sort()).toEqual([...good].sort());
      const bad = readStore(data, 'bad');
      expect(bad.map((record) => (record.payload as { id: string }).id)).toEqual([notAnObject]);
      // The spool holds nothing more, and nothing of the poisoned events: the next start sends nothing.
      const reopened = createDiskSpool({ dir: spool })('collector');
      expect(reopened.count()).toBe(0);
      await reopened.close?.();
      for (const id of poisoned) expect(fs.readFileSync(path.join(spool, 'collector.log'), 'utf8')).not.toContain(id);

      const health = await fetch(`${collector.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      collector.child.kill('SIGTERM');
      await collector.exited;
      fs.rmSync(temp, { recursive: true, force: true });
    }
  });
});
