// The DuckDB database on a disk that fills up during a load: a real tmpfs of a few MiB (the kernel
// answers ENOSPC, as a full disk does), mounted by `unshare` in a mount namespace of its own, so no
// root is needed where user namespaces are allowed and nothing outside the test sees it. The loader
// and the queries that open the database run in that namespace (`nsenter`: DuckDB resolves a
// /proc/<pid>/root path back to the host's); the test fills and frees the disk through
// /proc/<pid>/root. The raw store stays on the ordinary disk: the loader only reads it.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linesBefore } from './kill-scenario.js';
import { killScratch, type Scratch, writeKillStore } from './store-fixture.js';
import { runWarehouseCli, spawnWarehouseCli, untilOutput } from './warehouse-cli.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'store-fixture.ts');
const ROOT = path.resolve(path.dirname(FIXTURE), '../../..');
const MiB = 1 << 20;
const FILES = 2;
const PER_FILE = 10_000;
const BATCH = 1_000;

interface SmallDisk {
  /** Where the tmpfs is mounted, as processes of `launcher` see it. */
  mountpoint: string;
  /** The same directory as this process reaches it. */
  dir: string;
  /** Runs a command in the tmpfs's namespace. */
  launcher: string[];
  release(): Promise<void>;
}

/** A tmpfs of `bytes` at `mountpoint`, in a mount namespace that lives as long as its holder process. */
async function smallDisk(mountpoint: string, bytes: number): Promise<SmallDisk> {
  mkdirSync(mountpoint, { recursive: true });
  const holder = spawn('unshare', ['--user', '--map-root-user', '--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=${bytes} tmpfs "$1" && echo mounted && exec sleep 600`, 'sh', mountpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => holder.on('close', () => resolve()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const collect = (text: string): void => {
      output += text;
      if (output.includes('mounted\n')) resolve();
    };
    holder.stdout.setEncoding('utf8').on('data', collect);
    holder.stderr.setEncoding('utf8').on('data', collect);
    void exited.then(() => reject(new Error(`unshare could not mount a tmpfs: ${output}`)));
  });
  return {
    mountpoint,
    dir: path.join(`/proc/${holder.pid}/root`, mountpoint),
    // Entering a mount namespace moves to its root directory: back to the repository, where tsx resolves.
    launcher: ['nsenter', `--target=${holder.pid}`, '--user', '--mount', '--preserve-credentials', `--wd=${ROOT}`, '--'],
    release: async () => {
      holder.kill('SIGKILL');
      await exited;
    },
  };
}

/** Writes a file that leaves `bytes` free on the filesystem of `dir` (what other data would take). */
async function fillUpTo(dir: string, bytes: number): Promise<string> {
  const stats = await statfs(dir);
  const file = path.join(dir, 'filler');
  writeFileSync(file, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - bytes)));
  return file;
}


/** Runs a query on the database in the tmpfs's namespace (the test process cannot open it there). */
async function queryOnDisk(sql: string): Promise<Record<string, unknown>[]> {
  const script = 'import(process.argv[1]).then(async (m) => process.stdout.write(JSON.stringify(await m.query(process.argv[2], process.argv[3]))))';
  const { stdout } = await promisify(execFile)(disk.launcher[0]!, [...disk.launcher.slice(1), process.execPath, '--import', 'tsx', '-e', script, FIXTURE, db, sql], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Record<string, unknown>[];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

let scratch: Scratch;
let disk: SmallDisk;
let db: string;
beforeEach(async () => {
  scratch = killScratch();
  disk = await smallDisk(path.join(scratch.dir, 'disk'), 24 * MiB);
  db = path.join(disk.mountpoint, 'warehouse.duckdb');
});
afterEach(async () => {
  await disk.release();
  scratch.remove();
});

const loadArgs = (): string[] => ['load', '--from', scratch.store, '--schemas', scratch.schemas, '--duckdb', db, '--batch-size', String(BATCH)];
const noSpace = (): RegExp => new RegExp(`cannot write to ${escape(db)}: .*No space left on device`);
const loadedIds = async (): Promise<string[]> => (await queryOnDisk('select event_id from events order by event_id')).map((r) => r.event_id as string);

/** Every event once, in `events` and its data tables, and the manifest at the end of every file. */
async function expectEveryEventOnce(ids: readonly string[]): Promise<void> {
  expect(await loadedIds()).toEqual([...ids].sort());
  expect(await queryOnDisk('select count(*)::int as n, count(distinct event_id)::int as d from com_acme_signup_1')).toEqual([{ n: ids.length, d: ids.length }]);
  expect(await queryOnDisk('select count(*)::int as n from com_acme_user_1')).toEqual([{ n: ids.length }]);
  const manifest = (await queryOnDisk('select key, position::bigint as position from _tracklane_manifest')).map((r) => ({ key: r.key as string, position: Number(r.position) }));
  expect(linesBefore(scratch.store, manifest)).toBe(ids.length);
}

describe('the DuckDB database on a disk that fills up during a load', () => {
  it('the load stops with an error naming the database and "No space left on device", keeps what it committed, status says why; after space is freed a restart loads every event exactly once', { timeout: 120_000 }, async () => {
    const ids = writeKillStore(scratch, FILES, PER_FILE);
    const filler = await fillUpTo(disk.dir, 3 * MiB);

    const first = await runWarehouseCli(loadArgs(), {}, disk.launcher);
    expect(first.code, first.output).toBe(1);
    expect(first.output).toMatch(new RegExp(`^tracklane-warehouse: TARGET_UNAVAILABLE: ${noSpace().source}`, 'm'));
    const reported = Number([...first.output.matchAll(/^loaded (\d+) lines/gm)].at(-1)?.[1] ?? 0);
    expect(reported).toBeGreaterThan(0);
    expect(reported).toBeLessThan(ids.length);

    const status = await runWarehouseCli(['status', '--duckdb', db], {}, disk.launcher);
    expect(status.code, status.output).toBe(0);
    expect(status.output).toMatch(new RegExp(`^${escape(db)}: [\\d.]+ (B|KiB) free on its filesystem \\(of 24\\.0 MiB\\)$`, 'm'));
    expect(status.output).toMatch(new RegExp(`^warning: ${escape(db)}: less free than the [\\d.]+ MiB waiting to load: a load may stop with "No space left on device"`, 'm'));

    rmSync(filler);
    // Nothing committed was lost: the rows are those of every batch the loader said it committed, and of the lines before the manifest's positions.
    const manifest = (await queryOnDisk('select key, position::bigint as position from _tracklane_manifest')).map((r) => ({ key: r.key as string, position: Number(r.position) }));
    expect(await queryOnDisk('select count(*)::int as n from events')).toEqual([{ n: reported }]);
    expect(linesBefore(scratch.store, manifest)).toBe(reported);

    const restart = await runWarehouseCli(loadArgs(), {}, disk.launcher);
    expect(restart.code, restart.output).toBe(0);
    expect(restart.output).toContain(`done: ${ids.length - reported} lines, ${ids.length - reported} events, 0 quarantined`);
    await expectEveryEventOnce(ids);
  });

  it('load --follow: retries with a warning that says why, and goes on once space is freed', { timeout: 120_000 }, async () => {
    const ids = writeKillStore(scratch, FILES, PER_FILE);
    const filler = await fillUpTo(disk.dir, 3 * MiB);

    const follower = spawnWarehouseCli([...loadArgs(), '--follow', '--flush-interval-ms', '100'], undefined, {}, disk.launcher);
    try {
      await untilOutput(follower, new RegExp(`^warning: load failed \\(attempt 1\\): ${noSpace().source}; retrying in 1 s$`, 'm'), 'the follower retries');
      rmSync(filler);
      await untilOutput(follower, new RegExp(`^loaded ${ids.length} lines`, 'm'), 'the follower loads the rest');
    } finally {
      follower.child.kill('SIGTERM');
      expect(await follower.exited, follower.output()).toBe(0);
    }
    expect(follower.output()).toContain(`done: ${ids.length} lines, ${ids.length} events`);
    await expectEveryEventOnce(ids);
  });
});
