// tracklane-warehouse --postgres against a real server (test/postgres/start.sh): kill -9 of the
// loader mid-load then a restart gives every event exactly once; an unreachable database is
// waited for by --follow, a lost connection is replaced, and status says why it cannot answer,
// never showing the password.
import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killTwiceThenRestart, linesBefore } from './kill-scenario.js';
import { pgQuery, postgresForThisFile } from './postgres-server.js';
import { goodLine, killScratch, type Scratch, writeKillStore } from './store-fixture.js';
import { runWarehouseCli, spawnWarehouseCli } from './warehouse-cli.js';

const FILES = 4;
const PER_FILE = 50_000;
const BATCH = 1_500;
const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';

const server = postgresForThisFile();

let scratch: Scratch;
beforeEach(() => {
  scratch = killScratch();
});
afterEach(() => scratch.remove());

const count = async (url: string, table: string): Promise<number> => (await pgQuery<{ n: number }>(url, `SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

/** The URL with a password: trust authentication ignores it, so it only has to stay out of every message. */
const withPassword = (url: string): string => {
  const parsed = new URL(url);
  parsed.password = 'pw-that-must-not-show';
  return parsed.toString();
};

describe('tracklane-warehouse load --postgres, killed with SIGKILL and restarted', () => {
  it('200,000 events: killed twice in the middle of the load, the restart loads every event exactly once', { timeout: 180_000 }, async () => {
    const url = await server().createDatabase(server().freshName('kill'));
    const ids = writeKillStore(scratch, FILES, PER_FILE);
    const total = FILES * PER_FILE;
    const args = ['load', '--from', scratch.store, '--schemas', scratch.schemas, '--postgres', url, '--batch-size', String(BATCH)];
    const manifestOf = async (): Promise<{ key: string; position: number }[]> =>
      (await pgQuery<{ key: string; position: string }>(url, 'SELECT key, position FROM _tracklane_manifest ORDER BY key')).map((r) => ({ key: r.key, position: Number(r.position) }));

    // A third of the load (134 batches in all) before each kill.
    const { durations } = await killTwiceThenRestart({ args, total, batchesBeforeKill: 45, committed: async () => ({ events: await count(url, 'events'), lines: linesBefore(scratch.store, await manifestOf()) }) });
    console.log(`[kill-restart postgres] runs ${durations.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);

    const loaded = (await pgQuery<{ event_id: string }>(url, 'SELECT event_id FROM events ORDER BY event_id COLLATE "C"')).map((r) => r.event_id);
    expect(loaded.length).toBe(total);
    expect(loaded).toEqual([...ids].sort());
    expect(await pgQuery(url, 'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM com_acme_signup_1')).toEqual([{ n: total, d: total }]);
    expect(await count(url, 'com_acme_user_1')).toBe(total);
    expect(await count(url, 'quarantine')).toBe(0);
    // The manifest ends at the end of every file.
    expect((await manifestOf()).map((r) => [r.key, r.position])).toEqual(
      Array.from({ length: FILES }, (_, f) => {
        const key = `good/date=2026-12-07/hour=1${f}/part-a.jsonl`;
        return [key, statSync(`${scratch.store}/${key}`).size];
      }),
    );
    // status reads the same manifest: nothing pending.
    const status = await runWarehouseCli(['status', '--postgres', url]);
    expect(status.code, status.output).toBe(0);
    expect(status.output).toContain(`${scratch.store} good: ${FILES} files loaded`);
    expect(status.output).toContain('0 pending (0 B)');
  });
});

describe('an unreachable PostgreSQL', () => {
  const line = (n: number): string => goodLine({ id: `0190e0e0-0000-7000-8000-${String(n).padStart(12, '0')}`, schema: SIGNUP, data: { plan: 'pro', n } });

  it('a one-shot load fails with a clear error and status says why, with the password as ***', { timeout: 60_000 }, async () => {
    const missing = withPassword(server().urlOf(server().freshName('missing')));
    const why = /^tracklane-warehouse: TARGET_UNAVAILABLE: cannot reach PostgreSQL at postgres:\/\/tracklane:\*\*\*@127\.0\.0\.1:\d+\/missing_\w+: database "missing_\w+" does not exist \(SQLSTATE 3D000\)$/m;
    scratch.append('good/p/part-a.jsonl', [line(1)]);
    const load = await runWarehouseCli(['load', '--from', scratch.store, '--schemas', scratch.schemas, '--postgres', missing]);
    expect(load.code).toBe(1);
    expect(load.output).toMatch(why);
    const first = await runWarehouseCli(['status', '--postgres', missing]);
    expect(first.code).toBe(1);
    expect(first.output).toMatch(why);
    // A port nothing listens on (the server's, with the port of a stopped one: 1).
    const closed = new URL(missing);
    closed.port = '1';
    const second = await runWarehouseCli(['status'], { TRACKLANE_WAREHOUSE_POSTGRES_URL: closed.toString() });
    expect(second.code).toBe(1);
    expect(second.output).toMatch(/TARGET_UNAVAILABLE: cannot reach PostgreSQL at postgres:\/\/tracklane:\*\*\*@127\.0\.0\.1:1\/missing_\w+: connect ECONNREFUSED 127\.0\.0\.1:1/);
    for (const output of [load.output, first.output, second.output]) expect(output).not.toContain('pw-that-must-not-show');
  });

  it('load --follow waits for the database, loads once it answers, and replaces a lost connection', { timeout: 90_000 }, async () => {
    const name = server().freshName('late');
    const url = withPassword(server().urlOf(name));
    scratch.append('good/p/part-a.jsonl', [line(1), line(2)]);
    // Resolved when the loader's output first matches (its output so far, then each time it grows).
    let waiting: { pattern: RegExp; resolve: () => void } | undefined;
    const until = (pattern: RegExp): Promise<void> =>
      new Promise((resolve) => {
        waiting = { pattern, resolve };
        check(follower.output());
      });
    const check = (output: string): void => {
      if (waiting?.pattern.test(output)) {
        waiting.resolve();
        waiting = undefined;
      }
    };
    const follower = spawnWarehouseCli(['load', '--from', scratch.store, '--schemas', scratch.schemas, '--postgres', url, '--follow', '--flush-interval-ms', '100'], check);
    try {
      await until(/warning: cannot reach PostgreSQL at .*does not exist.* \(attempt 1\); retrying in 1 s/);
      await server().createDatabase(name);
      await until(/loaded 2 lines/);
      expect(await count(url, 'events')).toBe(2);
      // The server ends the loader's session (a restart, an administrator): the next batch opens another.
      expect(await pgQuery(server().url, `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND application_name = 'tracklane-warehouse'`, [name])).toEqual([{ ended: true }]);
      scratch.append('good/p/part-a.jsonl', [line(3), line(2)]);
      await until(/loaded 4 lines/);
      expect(await pgQuery(url, 'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM events')).toEqual([{ n: 3, d: 3 }]);
    } finally {
      follower.child.kill('SIGTERM');
      expect(await follower.exited, follower.output()).toBe(0);
    }
    expect(follower.output()).not.toContain('pw-that-must-not-show');
    expect(follower.output()).toMatch(/done: 4 lines, 4 events/);
  });
});
