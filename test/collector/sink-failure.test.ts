// When the file sink cannot take writes the collector answers 503 + Retry-After (the tracker retries)
// and /readyz says so; once the disk is writable again the retried events land, once each.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_KEY, startCollector } from '../helpers/collector.js';
import { eventually } from '../helpers/eventually.js';
import { batch, envelope } from '../helpers/tracking-plan.js';

/**
 * A regular file where `good/` must go: every good partition's mkdir fails (ENOTDIR), even as root.
 * Partitions follow the receive time, so this holds whatever the clock says when the test runs.
 */
const blockGood = (dataDir: string): string => {
  const blocker = path.join(dataDir, 'good');
  writeFileSync(blocker, 'not a directory');
  return blocker;
};

describe('a failing sink', () => {
  it('503 with Retry-After and /readyz 503 while the partition cannot be created; recovery once it can', async () => {
    await using collector = await startCollector();
    expect((await collector.request('GET', '/readyz')).status).toBe(200);

    const blocker = blockGood(collector.dataDir);
    const events = Array.from({ length: 5 }, () => envelope());
    for (let attempt = 1; attempt <= 2; attempt++) {
      const answer = await collector.post(batch(events));
      expect(answer.status, `attempt ${attempt}`).toBe(503);
      expect(answer.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(answer.json).toEqual({ error: expect.any(String) });
      expect(answer.text).not.toMatch(/ENOTDIR|EEXIST|date=|\/tmp\/|\n\s+at /);
    }

    const notReady = await collector.request('GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.json).toMatchObject({ status: 'not ready' });
    expect((await collector.request('GET', '/healthz')).status).toBe(200); // alive, just not ready
    expect(await collector.metrics()).toMatch(/tracklane_collector_sink_errors_total\{sink="file"\} 2/);
    const errors = collector.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ msg: 'sink write failed', sink: 'file' }), expect.objectContaining({ msg: 'sink write failed' })]);
    for (const line of collector.logs) expect(line).not.toContain(SERVER_KEY);

    // Disk fixed: the tracker's retry of the same batch lands every event (no stuck reservations).
    rmSync(blocker);
    const retried = await collector.post(batch(events));
    expect(retried.status).toBe(200);
    expect(retried.json).toEqual({ accepted: 5, duplicates: 0, rejected: [] });
    expect((await collector.request('GET', '/readyz')).status).toBe(200);
    const landed = collector.records('good').map((r) => r.envelope!.id);
    expect(landed.sort()).toEqual(events.map((e) => e.id).sort());

    // And a further retry is a duplicate, not a second copy.
    expect((await collector.post(batch(events))).json).toEqual({ accepted: 0, duplicates: 5, rejected: [] });
  });

  it('/readyz comes back on its own once the disk is writable again, before any event is retried', async () => {
    // A load balancer that stops routing on 503 sends no event to prove the disk healthy again.
    await using collector = await startCollector();
    const blocker = blockGood(collector.dataDir);
    const events = Array.from({ length: 3 }, () => envelope());
    expect((await collector.post(batch(events))).status).toBe(503);
    expect((await collector.request('GET', '/readyz')).status).toBe(503);

    rmSync(blocker);
    await eventually(async () => expect((await collector.request('GET', '/readyz')).status).toBe(200), { timeoutMs: 5000, intervalMs: 100, what: 'the collector ready again' });
    expect(collector.records('good')).toEqual([]);
    expect((await collector.post(batch(events))).json).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
  });

  it('close() lets a request in flight finish and land, then refuses new ones', async () => {
    const collector = await startCollector();
    const events = Array.from({ length: 50 }, () => envelope());
    const received = new Promise((resolve) => collector.collector.server.once('request', resolve));
    const inFlight = collector.post(batch(events));
    await received;
    const closing = collector.close();
    const answer = await inFlight;
    await closing;
    expect(answer.status).toBe(200);
    expect(answer.json.accepted).toBe(50);
    expect(collector.collector.server.listening).toBe(false);
  });
});
