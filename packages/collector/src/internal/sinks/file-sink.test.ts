import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import fsPromises, { open as openFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createFileSink } from './file-sink.js';
import { defaultInstanceId } from './instance-id.js';
import { fsyncDir, fsyncDirSync } from './fsync-dir.js';
import type { SinkRecord } from './sink.js';

// The real helpers, watched: which directories are synced, and when.
vi.mock('./fsync-dir.js', { spy: true });
afterEach(() => {
  vi.mocked(fsyncDir).mockReset();
  vi.mocked(fsyncDirSync).mockReset();
});

const root = mkdtempSync(path.join(os.tmpdir(), 'tracklane-file-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(root, `store-${dirs++}`);

const record = (kind: 'good' | 'bad', id: string, time: string): SinkRecord => ({
  kind,
  id,
  time: Date.parse(time),
  key: undefined,
  value: JSON.stringify({ id }),
});

/** A file where the `good` partition of `date` should be: its writes fail until the returned path is removed. */
const blockPartition = (dir: string, date: string): string => {
  mkdirSync(path.join(dir, 'good'), { recursive: true });
  const blocker = path.join(dir, `good/date=${date}`);
  writeFileSync(blocker, 'a file where a directory should be');
  return blocker;
};
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').slice(0, -1);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Longer than the probe interval (1 s) and the probe's own I/O. */
const AFTER_A_PROBE_MS = 1500;
const syncedDirs = (): string[] => vi.mocked(fsyncDir).mock.calls.map(([dir]) => dir).sort();

describe('createFileSink', () => {
  it('partitions good and bad records by date and hour (UTC) into part-<instance>.jsonl', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i1' });
    await sink.write([
      record('good', 'a', '2026-03-04T05:59:59.999Z'),
      record('good', 'b', '2026-03-04T06:00:00.000Z'),
      record('bad', 'c', '2026-03-04T05:10:00.000Z'),
      record('good', 'd', '2026-03-04T07:30:00.000+01:00'),
    ]);
    await sink.close();
    expect(lines(path.join(dir, 'good/date=2026-03-04/hour=05/part-i1.jsonl'))).toEqual(['{"id":"a"}']);
    expect(lines(path.join(dir, 'good/date=2026-03-04/hour=06/part-i1.jsonl'))).toEqual(['{"id":"b"}', '{"id":"d"}']);
    expect(lines(path.join(dir, 'bad/date=2026-03-04/hour=05/part-i1.jsonl'))).toEqual(['{"id":"c"}']);
  });

  it('names files after the host and the process id by default', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir });
    await sink.write([record('good', 'a', '2026-01-01T00:00:00Z')]);
    await sink.close();
    expect(readdirSync(path.join(dir, 'good/date=2026-01-01/hour=00'))).toEqual([`part-${defaultInstanceId()}.jsonl`]);
  });

  it.each(['../escape', '.hidden', 'a/b', '', 'x'.repeat(101)])('refuses the instance id %j (it names files)', (instanceId) => {
    expect(() => createFileSink({ dir: freshDir(), instanceId })).toThrow(expect.objectContaining({ code: 'FILE_SINK_CONFIG' }));
  });

  it('holds its instance id while open: a second sink of this process on the store is refused, one after close() is not', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    expect(readFileSync(path.join(dir, 'instance-i.lock'), 'utf8')).toContain(`"pid":${process.pid}`);
    expect(() => createFileSink({ dir, instanceId: 'i' })).toThrow(expect.objectContaining({ code: 'INSTANCE_LOCKED', message: expect.stringContaining('--instance-id') }));
    const other = createFileSink({ dir, instanceId: 'j' });
    await Promise.all([sink.close(), other.close()]);
    expect(existsSync(path.join(dir, 'instance-i.lock'))).toBe(false);
    const again = createFileSink({ dir, instanceId: 'i' });
    await again.open?.();
    expect(again.isReady()).toBe(true);
    await again.close();
  });

  it.each(['fsync', 'write'] as const)('durability %s: every concurrent write lands as whole lines, in one file per partition', async (durability) => {
    const dir = freshDir();
    const sink = createFileSink({ dir, durability, instanceId: 'i' });
    const writes = Array.from({ length: 50 }, (_, w) =>
      sink.write(Array.from({ length: 20 }, (_, r) => record('good', `${w}-${r}`, '2026-01-01T00:00:00Z'))),
    );
    await Promise.all(writes);
    const landed = lines(path.join(dir, 'good/date=2026-01-01/hour=00/part-i.jsonl'));
    expect(landed).toHaveLength(1000);
    expect(new Set(landed).size).toBe(1000);
    for (const line of landed) expect(() => JSON.parse(line)).not.toThrow();
    await sink.close();
  });

  it('resolves an empty write at once', async () => {
    const sink = createFileSink({ dir: freshDir() });
    await expect(sink.write([])).resolves.toBeUndefined();
    await sink.close();
  });

  it('falls back to the current hour when a record has no usable time', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    const now = new Date().toISOString();
    await sink.write([{ kind: 'bad', id: undefined, time: Number.NaN, key: undefined, value: '{}' }]);
    await sink.close();
    expect(existsSync(path.join(dir, `bad/date=${now.slice(0, 10)}`))).toBe(true);
  });

  it('rejects writes and reports not ready while a partition cannot be created; recovers once it can', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    const blocker = blockPartition(dir, '2026-05-05');
    expect(sink.isReady()).toBe(true);
    await expect(sink.write([record('good', 'a', '2026-05-05T01:00:00Z')])).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(sink.isReady()).toBe(false);
    rmSync(blocker);
    await sink.write([record('good', 'a', '2026-05-05T01:00:00Z')]);
    expect(sink.isReady()).toBe(true);
    await sink.close();
    expect(lines(path.join(dir, 'good/date=2026-05-05/hour=01/part-i.jsonl'))).toEqual(['{"id":"a"}']);
  });

  it('cuts off a torn last line (a crash mid-append by an instance of the same id) before it appends', async () => {
    const dir = freshDir();
    const file = path.join(dir, 'good/date=2026-01-01/hour=00/part-same.jsonl');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"id":"whole"}\n{"id":"to');
    const sink = createFileSink({ dir, instanceId: 'same' });
    await sink.write([record('good', 'after', '2026-01-01T00:00:00Z')]);
    await sink.close();
    expect(lines(file)).toEqual(['{"id":"whole"}', '{"id":"after"}']);
  });

  it('cuts back what a failed append left half-written, so the retry lands on a whole line (ENOSPC mid-write)', async () => {
    const dir = freshDir();
    const file = path.join(dir, 'good/date=2026-01-01/hour=00/part-i.jsonl');
    const sink = createFileSink({ dir, instanceId: 'i' });
    await sink.write([record('good', 'a', '2026-01-01T00:00:00Z')]);
    const any = await openFile(path.join(root, 'any'), 'w');
    await any.close();
    // The disk fills up after the first 5 bytes of the next append.
    const append = vi.spyOn(Object.getPrototypeOf(any) as FileHandle, 'appendFile').mockImplementationOnce(async function (this: FileHandle, data) {
      await this.write(String(data).slice(0, 5));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    await expect(sink.write([record('good', 'b', '2026-01-01T00:00:00Z')])).rejects.toThrow(/ENOSPC/);
    append.mockRestore();
    await sink.write([record('good', 'b', '2026-01-01T00:00:00Z')]);
    await sink.close();
    expect(lines(file)).toEqual(['{"id":"a"}', '{"id":"b"}']);
  });

  it('a failed commit leaves nothing in the files it did write: the retry lands each record once', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    await sink.write([record('good', 'a', '2026-01-01T00:00:00Z'), record('bad', 'x', '2026-01-01T00:00:00Z')]);
    const any = await openFile(path.join(root, 'any'), 'w');
    await any.close();
    // One commit, two files: the good one fails after 3 bytes, the bad one is written whole.
    const realAppend = (Object.getPrototypeOf(any) as FileHandle).appendFile;
    const append = vi.spyOn(Object.getPrototypeOf(any) as FileHandle, 'appendFile').mockImplementation(async function (this: FileHandle, data, options) {
      if (!String(data).includes('"b"')) return realAppend.call(this, data, options);
      await this.write(String(data).slice(0, 3));
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    });
    const batch = [record('good', 'b', '2026-01-01T00:00:00Z'), record('bad', 'y', '2026-01-01T00:00:00Z')];
    await expect(sink.write(batch)).rejects.toThrow(/EIO/);
    expect(lines(path.join(dir, 'good/date=2026-01-01/hour=00/part-i.jsonl'))).toEqual(['{"id":"a"}']);
    expect(lines(path.join(dir, 'bad/date=2026-01-01/hour=00/part-i.jsonl'))).toEqual(['{"id":"x"}']);
    append.mockRestore();
    await sink.write(batch);
    await sink.close();
    expect(lines(path.join(dir, 'good/date=2026-01-01/hour=00/part-i.jsonl'))).toEqual(['{"id":"a"}', '{"id":"b"}']);
    expect(lines(path.join(dir, 'bad/date=2026-01-01/hour=00/part-i.jsonl'))).toEqual(['{"id":"x"}', '{"id":"y"}']);
  });

  it('at start, cuts off the torn tails its instance id left in the current and previous hour (kill -9, restart with the same id)', async () => {
    const dir = freshDir();
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const file = path.join(dir, `bad/date=${hour.slice(0, 10)}/hour=${hour.slice(11, 13)}/part-same.jsonl`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"id":"whole"}\n{"id":"to');
    const sink = createFileSink({ dir, instanceId: 'same' });
    // A write into another partition: the bad file is never opened for appending, yet repaired.
    await sink.write([record('good', 'g', '2026-01-01T00:00:00Z')]);
    await sink.close();
    expect(readFileSync(file, 'utf8')).toBe('{"id":"whole"}\n');
  });

  it('keeps a bounded number of part files open: a collector running for weeks does not run out of descriptors', async () => {
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i1', durability: 'write' });
    await sink.write([record('good', 'first', '2026-01-01T00:00:00Z')]);
    const before = openFds();
    const start = Date.parse('2026-01-01T01:00:00Z');
    for (let hour = 0; hour < 200; hour++) await sink.write([record('good', `h${hour}`, new Date(start + hour * 3_600_000).toISOString())]);
    await sink.write([record('good', 'late', '2026-01-01T00:30:00Z')]); // the first hour again: reopened
    expect(openFds() - before, 'descriptors opened by 200 hours of writes').toBeLessThan(40);
    await sink.close();
    expect(lines(path.join(dir, 'good/date=2026-01-01/hour=00/part-i1.jsonl'))).toEqual(['{"id":"first"}', '{"id":"late"}']);
  });

  it('keeps at most 32 part files open at once however one write is spread (1,000 hours), and lands every record once', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i', durability: 'write' });
    let open = 0;
    let most = 0;
    const realOpen = fsPromises.open;
    const spy = vi.spyOn(fsPromises, 'open').mockImplementation(async (...args: Parameters<typeof realOpen>) => {
      const handle = await realOpen(...args);
      if (!String(args[0]).includes(`${path.sep}part-`)) return handle;
      most = Math.max(most, ++open);
      const realClose = handle.close.bind(handle);
      handle.close = () => (open--, realClose());
      return handle;
    });
    const start = Date.parse('2020-01-01T00:00:00Z');
    await sink.write(Array.from({ length: 1000 }, (_, h) => record('good', `h${h}`, new Date(start + h * 3_600_000).toISOString())));
    await sink.close();
    spy.mockRestore();
    expect(most, 'part files open at once').toBe(32);
    expect(open, 'left open after close()').toBe(0);
    const landed = readdirSync(path.join(dir, 'good'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => lines(path.join(dir, 'good', f)));
    expect(landed.sort()).toEqual(Array.from({ length: 1000 }, (_, h) => `{"id":"h${h}"}`).sort());
  });

  it('puts a record whose time has no four-digit year (9999-12-31T23:59:59-23:59 is year 10000 in UTC) in the current hour', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    const now = new Date().toISOString();
    await sink.write([record('good', 'far', '9999-12-31T23:59:59-23:59'), record('good', 'before', '-000001-01-01T00:00:00Z')]);
    await sink.close();
    expect(readdirSync(path.join(dir, 'good'))).toEqual([`date=${now.slice(0, 10)}`]);
  });

  it('close() waits for writes still queued', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    const pending = sink.write([record('good', 'late', '2026-01-01T00:00:00Z')]);
    await sink.close();
    await pending;
    expect(lines(path.join(dir, 'good/date=2026-01-01/hour=00/part-i.jsonl'))).toEqual(['{"id":"late"}']);
  });

  it('probes while failing: ready again with no write once the partition can be created, and not before', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    const blocker = blockPartition(dir, '2026-05-06');
    await expect(sink.write([record('good', 'a', '2026-05-06T01:00:00Z')])).rejects.toThrow(/ENOTDIR|EEXIST/);

    await sleep(AFTER_A_PROBE_MS);
    expect(sink.isReady()).toBe(false); // the root is writable, but the partition that failed is not
    rmSync(blocker);
    await vi.waitFor(() => expect(sink.isReady()).toBe(true), { timeout: 3000, interval: 20 });

    expect(readdirSync(dir)).toEqual(['good', 'instance-i.lock']); // no probe file left behind
    await sink.write([record('good', 'a', '2026-05-06T01:00:00Z')]);
    await sink.close();
    expect(lines(path.join(dir, 'good/date=2026-05-06/hour=01/part-i.jsonl'))).toEqual(['{"id":"a"}']);
  });

  it('close() stops probing: nothing is created in the store after it', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    const blocker = blockPartition(dir, '2026-05-07');
    await expect(sink.write([record('good', 'a', '2026-05-07T01:00:00Z')])).rejects.toThrow();
    await sink.close();
    rmSync(blocker);
    await sleep(AFTER_A_PROBE_MS);
    expect(readdirSync(path.join(dir, 'good'))).toEqual([]);
    expect(sink.isReady()).toBe(false);
  });
});

describe('createFileSink durability of new names', () => {
  it('a write into a new partition resolves only once the directories holding its new names are synced', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    vi.mocked(fsyncDir).mockImplementation(() => held);

    let resolved = false;
    const write = sink.write([record('good', 'a', '2026-07-08T09:30:00Z')]).then(() => (resolved = true));
    await vi.waitFor(() => expect(fsyncDir).toHaveBeenCalled());
    await sleep(50);
    expect(resolved).toBe(false);
    release();
    await write;

    // The part file's name is in hour=09, hour=09's in date=…, date=…'s in good/, good/'s in the root.
    expect(syncedDirs()).toEqual([dir, `${dir}/good`, `${dir}/good/date=2026-07-08`, `${dir}/good/date=2026-07-08/hour=09`]);
    await sink.close();
  });

  it('writes into a part file already open sync no directory (one datasync per file and tick)', async () => {
    const dir = freshDir();
    const sink = createFileSink({ dir, instanceId: 'i' });
    await sink.write([record('good', 'a', '2026-07-08T09:00:00Z')]);
    vi.mocked(fsyncDir).mockClear();
    for (let i = 0; i < 5; i++) await sink.write([record('good', `b${i}`, '2026-07-08T09:59:00Z')]);
    expect(fsyncDir).not.toHaveBeenCalled();
    await sink.close();
  });

  it('durability write syncs no directory', async () => {
    const dir = path.join(freshDir(), 'nested');
    const sink = createFileSink({ dir, durability: 'write', instanceId: 'i' });
    await sink.write([record('good', 'a', '2026-07-08T09:00:00Z'), record('bad', 'b', '2026-07-08T10:00:00Z')]);
    await sink.close();
    expect(fsyncDir).not.toHaveBeenCalled();
    expect(fsyncDirSync).not.toHaveBeenCalled();
  });

  it('a store root it creates is synced into its parents at start', () => {
    const top = freshDir();
    const dir = path.join(top, 'a', 'raw');
    void createFileSink({ dir }).close();
    expect(vi.mocked(fsyncDirSync).mock.calls.map(([d]) => d)).toEqual([path.join(top, 'a'), top, root]);
  });
});
