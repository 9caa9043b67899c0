// The loader's PostgreSQL database on a tablespace whose volume fills up during a load: a real
// tmpfs of 10 MiB (an empty database takes about 7.5 MiB of it: with 8 the first batch did not always fit, with 12 the whole store did) that the server writes to (the kernel answers ENOSPC, PostgreSQL SQLSTATE 53100).
// The server runs outside any namespace of the test, so the tmpfs is mounted here for it to see:
// this needs root (as .ci/run and the project's machines run the tests) and the server of
// test/postgres/start.sh on this machine. Space comes back as an administrator gives it: the
// volume grows (a remount). The server's log and catalogs stay on its own disk.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linesBefore } from './kill-scenario.js';
import { pgQuery, postgresForThisFile } from './postgres-server.js';
import { killScratch, type Scratch, writeKillStore } from './store-fixture.js';
import { runWarehouseCli, spawnWarehouseCli, untilOutput } from './warehouse-cli.js';

const MiB = 1 << 20;
const BATCH = 1_000;

const server = postgresForThisFile();

let scratch: Scratch;
let volume: string;
let tablespace: string;
let database: string;
let url: string;
beforeEach(async () => {
  scratch = killScratch();
  // The server's user walks to the volume and owns it, as it owns its data directory.
  chmodSync(scratch.dir, 0o711);
  volume = path.join(scratch.dir, 'volume');
  mkdirSync(volume);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${10 * MiB},mode=0700`, 'tmpfs', volume]);
  const owner = statSync((await pgQuery<{ dir: string }>(server().url, "SELECT current_setting('data_directory') AS dir"))[0]!.dir);
  chownSync(volume, owner.uid, owner.gid);
  tablespace = server().freshName('full');
  database = server().freshName('full_disk');
  await pgQuery(server().url, `CREATE TABLESPACE "${tablespace}" LOCATION '${volume}'`);
  await pgQuery(server().url, `CREATE DATABASE "${database}" TABLESPACE "${tablespace}"`);
  url = server().urlOf(database);
});
afterEach(async () => {
  // Room first: while the volume is full the server's checkpoints fail, and with them DROP DATABASE
  // (and every other test's CREATE DATABASE on this server) until someone frees it.
  grow();
  try {
    await pgQuery(server().url, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await pgQuery(server().url, `DROP TABLESPACE IF EXISTS "${tablespace}"`);
  } finally {
    execFileSync('umount', [volume]);
    scratch.remove();
  }
});

const loadArgs = (): string[] => ['load', '--from', scratch.store, '--schemas', scratch.schemas, '--postgres', url, '--batch-size', String(BATCH)];
const noSpace = (): RegExp => new RegExp(`cannot write to ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*No space left on device \\(SQLSTATE 53100\\)`);
const grow = (): void => void execFileSync('mount', ['-o', `remount,size=${64 * MiB}`, volume]);
const manifestLines = async (): Promise<number> =>
  linesBefore(scratch.store, (await pgQuery<{ key: string; position: string }>(url, 'SELECT key, position FROM _tracklane_manifest')).map((r) => ({ key: r.key, position: Number(r.position) })));
const count = async (table: string): Promise<number> => (await pgQuery<{ n: number }>(url, `SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

/** Every event once, in `events` and its data tables, and the manifest at the end of every file. */
async function expectEveryEventOnce(ids: readonly string[]): Promise<void> {
  expect((await pgQuery<{ event_id: string }>(url, 'SELECT event_id FROM events')).map((r) => r.event_id).sort()).toEqual([...ids].sort());
  expect(await pgQuery(url, 'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM com_acme_signup_1')).toEqual([{ n: ids.length, d: ids.length }]);
  expect(await count('com_acme_user_1')).toBe(ids.length);
  expect(await manifestLines()).toBe(ids.length);
}

describe('the PostgreSQL database on a volume that fills up during a load', () => {
  it('the load stops with an error naming the database, "No space left on device" and SQLSTATE 53100, keeps what it committed; once the volume grows a restart loads every event exactly once', { timeout: 120_000 }, async () => {
    const ids = writeKillStore(scratch, 2, 10_000);

    const first = await runWarehouseCli(loadArgs());
    expect(first.code, first.output).toBe(1);
    expect(first.output).toMatch(new RegExp(`^tracklane-warehouse: TARGET_UNAVAILABLE: ${noSpace().source}$`, 'm'));
    const reported = Number([...first.output.matchAll(/^loaded (\d+) lines/gm)].at(-1)?.[1] ?? 0);
    expect(reported).toBeGreaterThan(0);
    expect(reported).toBeLessThan(ids.length);
    // Nothing committed was lost: the rows are those of every batch the loader said it committed, and of the lines before the manifest's positions.
    expect(await count('events')).toBe(reported);
    expect(await manifestLines()).toBe(reported);
    // status reads the manifest (the server's disk is the server's to report): what waits.
    const status = await runWarehouseCli(['status', '--postgres', url]);
    expect(status.code, status.output).toBe(0);
    expect(status.output).toMatch(/ good: \d files loaded \([\d.]+ MiB\), [12] pending \([\d.]+ MiB\)$/m);

    grow();
    const restart = await runWarehouseCli(loadArgs());
    expect(restart.code, restart.output).toBe(0);
    expect(restart.output).toContain(`done: ${ids.length - reported} lines, ${ids.length - reported} events, 0 quarantined`);
    await expectEveryEventOnce(ids);
  });

  it('load --follow: retries with a warning that says why, and goes on once the volume grows', { timeout: 120_000 }, async () => {
    const ids = writeKillStore(scratch, 2, 10_000);
    const follower = spawnWarehouseCli([...loadArgs(), '--follow', '--flush-interval-ms', '100']);
    try {
      await untilOutput(follower, new RegExp(`^warning: load failed \\(attempt 1\\): ${noSpace().source}; retrying in 1 s$`, 'm'), 'the follower retries');
      grow();
      await untilOutput(follower, new RegExp(`^loaded ${ids.length} lines`, 'm'), 'the follower loads the rest');
    } finally {
      follower.child.kill('SIGTERM');
      expect(await follower.exited, follower.output()).toBe(0);
    }
    await expectEveryEventOnce(ids);
  });
});
