// kill -9 of the loader in the middle of a load, then a restart: every event of the raw store is
// in the tables exactly once. The batch commit and the manifest's advance are one transaction, so
// whatever the kill interrupts is redone whole, and nothing committed is read again.
import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killTwiceThenRestart, linesBefore } from './kill-scenario.js';
import { goodLine, killScratch, query, type Scratch, writeKillStore } from './store-fixture.js';
import { runWarehouseCli, spawnWarehouseCli } from './warehouse-cli.js';

const FILES = 4;
const PER_FILE = 50_000;
const BATCH = 1_500;

let scratch: Scratch;
beforeEach(() => {
  scratch = killScratch();
});
afterEach(() => scratch.remove());

const loadArgs = (): string[] => ['load', '--from', scratch.store, '--schemas', scratch.schemas, '--duckdb', scratch.db, '--batch-size', String(BATCH)];
const manifestOf = async (): Promise<{ key: string; position: number }[]> =>
  (await query(scratch.db, 'select key, position::bigint as position from _tracklane_manifest order by key')).map((r) => ({ key: r.key as string, position: Number(r.position) }));

describe('tracklane-warehouse load, killed with SIGKILL and restarted', () => {
  it('200,000 events: killed twice in the middle of the load, the restart loads every event exactly once', { timeout: 180_000 }, async () => {
    const ids = writeKillStore(scratch, FILES, PER_FILE);
    const total = FILES * PER_FILE;

    // A third of the load (134 batches in all) before each kill.
    const { durations } = await killTwiceThenRestart({
      args: loadArgs(),
      total,
      batchesBeforeKill: 45,
      committed: async () => ({ events: Number((await query(scratch.db, 'select count(*) as n from events'))[0]!.n), lines: linesBefore(scratch.store, await manifestOf()) }),
    });
    console.log(`[kill-restart duckdb] runs ${durations.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);

    const loaded = (await query(scratch.db, 'select event_id from events order by event_id')).map((r) => r.event_id as string);
    expect(loaded.length).toBe(total);
    expect(loaded).toEqual([...ids].sort());
    expect(await query(scratch.db, 'select count(*)::int as n, count(distinct event_id)::int as d from com_acme_signup_1')).toEqual([{ n: total, d: total }]);
    expect(await query(scratch.db, 'select count(*)::int as n from com_acme_user_1')).toEqual([{ n: total }]);
    expect(await query(scratch.db, 'select count(*)::int as n from quarantine')).toEqual([{ n: 0 }]);
    // The manifest ends at the end of every file.
    expect((await manifestOf()).map((r) => [r.key, r.position])).toEqual(
      Array.from({ length: FILES }, (_, f) => {
        const key = `good/date=2026-12-07/hour=1${f}/part-a.jsonl`;
        return [key, statSync(`${scratch.store}/${key}`).size];
      }),
    );
  });

  it('a second loader on a database file in use is refused with a clear error', { timeout: 60_000 }, async () => {
    scratch.append('good/p/part-a.jsonl', [goodLine({ id: '0190e0e0-0000-7000-8000-000000000001', schema: 'iglu:com.acme/signup/jsonschema/1-0-0', data: { plan: 'pro', n: 1 } })]);
    let ready!: () => void;
    const loaded = new Promise<void>((resolve) => (ready = resolve));
    const follower = spawnWarehouseCli([...loadArgs(), '--follow'], (output) => output.includes('loaded 1 lines') && ready());
    try {
      await loaded;
      const second = await runWarehouseCli(loadArgs());
      expect(second.code).toBe(1);
      expect(second.output).toMatch(/^tracklane-warehouse: TARGET_UNAVAILABLE: cannot open the DuckDB database .*warehouse\.duckdb: .*lock/m);
    } finally {
      follower.child.kill('SIGTERM');
      expect(await follower.exited).toBe(0);
    }
    expect(follower.output()).toMatch(/done: 1 lines, 1 events/);
  });
});
