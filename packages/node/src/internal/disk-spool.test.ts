import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTracklaneError, type StoredEvent } from '@tracklane/core';
import { createDiskSpool, fileNameOf, type DiskSpoolOptions } from './disk-spool.js';
import type { DiskSpoolStore } from './spool-store.js';
import { LOCK_FILE } from './spool-lock.js';

let dir: string;
const open: DiskSpoolStore[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklane-spool-'));
});
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function openSpool(options: Partial<DiskSpoolOptions> = {}, destination = 'collector'): DiskSpoolStore {
  const store = createDiskSpool({ dir, ...options })(destination) as DiskSpoolStore;
  open.push(store);
  return store;
}

function closeSpool(store: DiskSpoolStore): void {
  store.close();
  open.splice(open.indexOf(store), 1);
}

let sequence = 0;
function event(purpose = 'analytics', extra = ''): StoredEvent {
  const id = `evt-${String(++sequence).padStart(8, '0')}`;
  const envelope = {
    id,
    event: { schema: 'iglu:com.acme/click/jsonschema/1-0-0', data: { n: sequence, extra, text: 'déjà vu \t "quoted" 🎉' } },
    app: { id: 'app', platform: 'srv' },
    tracker: { name: 'test', version: '0' },
    user: {},
    consent: { purposes: {} },
    ts: { created: new Date(0).toISOString() },
  };
  const json = JSON.stringify(envelope);
  return { id, purpose, createdAt: 0, json, bytes: Buffer.byteLength(json) };
}
const events = (n: number, purpose?: string): StoredEvent[] => Array.from({ length: n }, () => event(purpose));
const idsOf = (list: readonly StoredEvent[]): string[] => list.map((e) => e.id);
const peekAll = (store: DiskSpoolStore): StoredEvent[] => store.peek({ limit: Infinity, maxBytes: Infinity, exclude: new Set() });

describe('disk spool', () => {
  it('keeps events in order across a reopen, without the removed ones', () => {
    const first = openSpool();
    const added = events(10);
    expect(first.add(added.slice(0, 6)).refused).toEqual([]);
    first.add(added.slice(6));
    expect(first.remove([added[1]!.id, added[4]!.id, 'unknown'])).toBe(2);
    closeSpool(first);

    const second = openSpool();
    expect(second.count()).toBe(8);
    expect(peekAll(second)).toEqual(added.filter((_, i) => i !== 1 && i !== 4));
  });

  it('peeks the oldest events within count and byte limits, skipping excluded ids', () => {
    const store = openSpool();
    const added = events(5);
    store.add(added);
    const exclude = new Set([added[0]!.id]);
    expect(idsOf(store.peek({ limit: 2, maxBytes: Infinity, exclude }))).toEqual(idsOf(added.slice(1, 3)));
    expect(idsOf(store.peek({ limit: 10, maxBytes: added[1]!.bytes + 1, exclude }))).toEqual(idsOf(added.slice(1, 2)));
    // One event always comes back, even when it alone exceeds maxBytes.
    expect(store.peek({ limit: 10, maxBytes: 1, exclude })).toHaveLength(1);
  });

  it('cuts a torn last line (a crash mid-write) and counts it', () => {
    const first = openSpool();
    const added = events(3);
    first.add(added);
    closeSpool(first);
    const file = path.join(dir, 'collector.log');
    const whole = fs.readFileSync(file);
    fs.appendFileSync(file, `+${JSON.stringify(event()).slice(0, 40)}`);

    const second = openSpool();
    expect(second.stats()).toMatchObject({ tornLines: 1, corruptLines: 0, events: 3 });
    expect(fs.readFileSync(file)).toEqual(whole);
    const later = event();
    second.add([later]);
    closeSpool(second);
    expect(idsOf(peekAll(openSpool()))).toEqual([...idsOf(added), later.id]);
  });

  it('stores the envelope text verbatim: one line per event, header then tab then the JSON', () => {
    const store = openSpool();
    const added = event();
    store.add([added]);
    const [line] = fs.readFileSync(path.join(dir, 'collector.log'), 'utf8').split('\n');
    expect(line).toBe(`+${JSON.stringify({ id: added.id, purpose: 'analytics', createdAt: 0, bytes: added.bytes })}\t${added.json}`);
    closeSpool(store);
    expect(peekAll(openSpool())).toEqual([added]);
  });

  it('keeps unknown StoredEvent fields and corrects a wrong byte count', () => {
    const store = openSpool();
    const base = event();
    const withExtra = { ...base, bytes: base.bytes + 3, attempt: 2 } as StoredEvent;
    store.add([withExtra]);
    closeSpool(store);
    expect(peekAll(openSpool())).toEqual([{ ...base, attempt: 2 }]);
  });

  it('counts a complete line whose envelope is cut or garbled as corrupt', () => {
    const first = openSpool();
    const [a, b] = events(2);
    first.add([a!, b!]);
    closeSpool(first);
    const file = path.join(dir, 'collector.log');
    const [lineA, lineB] = fs.readFileSync(file, 'utf8').split('\n');
    fs.writeFileSync(file, `${lineA!.slice(0, -5)}}\n${lineB}\n`);
    const second = openSpool();
    expect(second.stats()).toMatchObject({ corruptLines: 1, events: 1 });
    expect(idsOf(peekAll(second))).toEqual([b!.id]);
  });

  it('skips and counts corrupt complete lines, then rewrites the log without them', () => {
    const first = openSpool();
    const [a, b] = events(2);
    first.add([a!]);
    closeSpool(first);
    const file = path.join(dir, 'collector.log');
    fs.appendFileSync(file, '\0\0\0\0\n+{"not":"an event"}\n');
    const second = openSpool();
    second.add([b!]);
    expect(second.stats()).toMatchObject({ corruptLines: 2, compactions: 1, events: 2 });
    closeSpool(second);
    expect(openSpool().stats()).toMatchObject({ corruptLines: 0, events: 2, lines: 2 });
  });

  describe('when the directory cannot be synced', () => {
    const failDirectorySyncs = (code: string) =>
      vi.spyOn(fs, 'fsyncSync').mockImplementation(() => {
        throw Object.assign(new Error(`${code}: fsync`), { code });
      });
    afterEach(() => vi.restoreAllMocks());
    /** A spool of `count` events and a corrupt line, which the next open compacts away. */
    const spoolWithACorruptLine = (count: number): void => {
      const first = openSpool();
      first.add(events(count));
      closeSpool(first);
      fs.appendFileSync(path.join(dir, 'collector.log'), '\0\0\n');
    };

    it('an I/O error (EIO) after a compaction is in the stats, and no event is lost', () => {
      spoolWithACorruptLine(2);
      failDirectorySyncs('EIO');
      const second = openSpool();
      expect(second.stats()).toMatchObject({ compactions: 1, events: 2, lastError: expect.stringContaining('EIO') });
      closeSpool(second);
      vi.restoreAllMocks();
      expect(openSpool().stats()).toMatchObject({ corruptLines: 0, events: 2 });
    });

    it('a platform that cannot sync directories (EINVAL) is no error', () => {
      spoolWithACorruptLine(1);
      failDirectorySyncs('EINVAL');
      expect(openSpool().stats()).not.toHaveProperty('lastError');
    });

    it('an I/O error refuses a new spool with durability fsync (its name may not be on disk)', () => {
      failDirectorySyncs('EIO');
      expect(() => openSpool({ durability: 'fsync' })).toThrow(expect.objectContaining({ code: 'STORE', cause: expect.objectContaining({ code: 'EIO' }) }));
      expect(() => openSpool({ durability: 'write' })).not.toThrow();
    });
  });

  it('compacts when acknowledged events dominate, keeping live events in order', { timeout: 30_000 }, () => {
    const store = openSpool();
    const added = events(12_000);
    for (let i = 0; i < added.length; i += 500) store.add(added.slice(i, i + 500));
    const removed = added.slice(0, 11_000);
    for (let i = 0; i < removed.length; i += 500) store.remove(idsOf(removed.slice(i, i + 500)));
    const stats = store.stats();
    // Compacted once dead lines passed 10,000 (and outnumbered live events); later removals appended.
    expect(stats.compactions).toBe(1);
    expect(stats.lines).toBeLessThan(2_100);
    const live = idsOf(added.slice(11_000));
    expect(idsOf(peekAll(store))).toEqual(live);
    const more = events(2);
    store.add(more);
    closeSpool(store);
    expect(idsOf(peekAll(openSpool()))).toEqual([...live, ...idsOf(more)]);
  });

  it('recovers from a crash mid-compaction: the leftover temporary file is ignored', () => {
    const first = openSpool();
    const added = events(4);
    first.add(added);
    closeSpool(first);
    fs.writeFileSync(path.join(dir, 'collector.log.compact'), '+{"half":');
    const second = openSpool();
    expect(idsOf(peekAll(second))).toEqual(idsOf(added));
    expect(fs.existsSync(path.join(dir, 'collector.log.compact'))).toBe(false);
  });

  it('refuses the newest events beyond maxEvents and maxBytes', () => {
    const byCount = openSpool({ maxEvents: 3 });
    const added = events(5);
    expect(idsOf(byCount.add(added).refused)).toEqual(idsOf(added.slice(3)));
    byCount.remove([added[0]!.id]);
    expect(byCount.add(added.slice(3, 4)).refused).toEqual([]);

    closeSpool(byCount);
    const size = added[0]!.bytes;
    const byBytes = openSpool({ maxBytes: size * 2 + 1 }, 'other');
    expect(byBytes.add(added).refused).toHaveLength(3);
    expect(byBytes.count()).toBe(2);
  });

  it('bounds bytes by the measured size, whatever `bytes` an event claims', () => {
    const honest = Array.from({ length: 5 }, () => event('analytics', 'x'.repeat(400)));
    const size = Math.max(...honest.map((e) => e.bytes));
    const store = openSpool({ maxBytes: size * 2 + 1 });
    // Half of them claim a byte each, the others NaN (which no comparison finds too large).
    const added = honest.map((e, i) => ({ ...e, bytes: i % 2 === 0 ? 1 : Number.NaN }));
    expect(store.add(added).refused).toHaveLength(3);
    expect(store.stats()).toMatchObject({ events: 2 });
    expect(store.stats().bytes).toBeLessThanOrEqual(size * 2 + 1);
  });

  it('keeps one record per line whatever newlines an envelope text holds', () => {
    const store = openSpool();
    const [a, b] = events(2);
    // A newline is whitespace to JSON: the text may hold one, and means the same without it.
    const multiline = { ...a!, json: a!.json.replace('{"id"', '{\n"id"') };
    // What follows a newline must not become a record of its own.
    const forging = { ...b!, json: `${b!.json}\n+{"id":"forged","purpose":"analytics","createdAt":0,"bytes":2}\t{}` };
    store.add([multiline, forging]);
    closeSpool(store);
    const reopened = openSpool();
    expect(reopened.stats()).toMatchObject({ corruptLines: 0, events: 2 });
    const [first, second] = peekAll(reopened);
    expect(JSON.parse(first!.json)).toEqual(JSON.parse(a!.json));
    expect(second!.id).toBe(b!.id);
  });

  it('persists refusals as not-added: a reopened full spool holds only what was accepted', () => {
    const store = openSpool({ maxEvents: 2 });
    store.add(events(4));
    closeSpool(store);
    expect(openSpool({ maxEvents: 2 }).count()).toBe(2);
  });

  it('purges a purpose except events in flight, durably', () => {
    const store = openSpool();
    const ads = events(3, 'ads');
    const analytics = events(2, 'analytics');
    store.add([ads[0]!, analytics[0]!, ads[1]!, analytics[1]!, ads[2]!]);
    const purged = store.purgePurpose('ads', new Set([ads[1]!.id]));
    expect(idsOf(purged)).toEqual(idsOf([ads[0]!, ads[2]!]));
    closeSpool(store);
    expect(idsOf(peekAll(openSpool()))).toEqual(idsOf([analytics[0]!, ads[1]!, analytics[1]!]));
  });

  it('keeps one file per destination, with names made safe', () => {
    const factory = createDiskSpool({ dir });
    const a = factory('../../etc/passwd') as DiskSpoolStore;
    const b = factory('snowplow') as DiskSpoolStore;
    open.push(a, b);
    a.add(events(1));
    expect(path.dirname(a.file)).toBe(dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.log', LOCK_FILE, 'snowplow.log'].sort());
    expect(() => factory('snowplow')).toThrow(/already open/);
    expect(fileNameOf('x'.repeat(300))).toHaveLength(77);
  });

  it('fsync batch mode writes the same log', () => {
    const store = openSpool({ fsync: 'batch' });
    const added = events(3);
    store.add(added);
    closeSpool(store);
    expect(idsOf(peekAll(openSpool()))).toEqual(idsOf(added));
  });

  it('syncs each batch added with durability fsync, and none with write (the default), as the deprecated fsync batch and never did', () => {
    const syncs = vi.spyOn(fs, 'fdatasyncSync');
    try {
      const addedSyncs = (options: Partial<DiskSpoolOptions>): number => {
        fs.rmSync(dir, { recursive: true, force: true });
        const store = openSpool(options);
        syncs.mockClear();
        store.add(events(2));
        store.add(events(1));
        closeSpool(store);
        return syncs.mock.calls.length;
      };
      expect(addedSyncs({ durability: 'fsync' })).toBe(2);
      expect(addedSyncs({ fsync: 'batch' })).toBe(2);
      expect(addedSyncs({ durability: 'fsync', fsync: 'batch' })).toBe(2);
      expect(addedSyncs({ durability: 'write' })).toBe(0);
      expect(addedSyncs({ fsync: 'never' })).toBe(0);
      expect(addedSyncs({})).toBe(0);
    } finally {
      syncs.mockRestore();
    }
  });

  it('rejects bad options with a clear error', () => {
    expect(() => createDiskSpool({ dir: '' })).toThrow(/`dir` must be a non-empty path/);
    expect(() => createDiskSpool({ dir, maxEvents: 0 })).toThrow(/maxEvents/);
    expect(() => createDiskSpool({ dir, fsync: 'always' as 'never' })).toThrow(/fsync/);
    expect(() => createDiskSpool({ dir, durability: 'batch' as 'fsync' })).toThrow(/`durability` must be 'fsync' or 'write'/);
    expect(() => createDiskSpool({ dir, durability: 'fsync', fsync: 'never' })).toThrow(/disagree/);
  });

  it('throws once closed', () => {
    const store = openSpool();
    closeSpool(store);
    expect(() => store.add(events(1))).toThrow(/closed/);
    store.close(); // twice is fine
  });
});

describe('disk spool lock', () => {
  const lockFile = (): string => path.join(dir, LOCK_FILE);

  it('holds a lock file with the pid while open and removes it when the last store closes', () => {
    const factory = createDiskSpool({ dir });
    const a = factory('a') as DiskSpoolStore;
    const b = factory('b') as DiskSpoolStore;
    expect(fs.readFileSync(lockFile(), 'utf8').split('\n')[0]).toBe(String(process.pid));
    a.close();
    expect(fs.existsSync(lockFile())).toBe(true);
    b.close();
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  it('refuses a second tracker of this process on the same directory', () => {
    openSpool();
    let error: unknown;
    try {
      createDiskSpool({ dir })('collector');
    } catch (caught) {
      error = caught;
    }
    expect(isTracklaneError(error) && error.code).toBe('STORE');
    expect(String(error)).toMatch(/in use by another tracker in this process/);
  });

  it('refuses a directory locked by a live process', () => {
    fs.writeFileSync(lockFile(), `${process.ppid}\n${os.hostname()}\n`);
    expect(() => openSpool()).toThrow(new RegExp(`in use by process ${process.ppid}`));
    expect(fs.readFileSync(lockFile(), 'utf8').split('\n')[0]).toBe(String(process.ppid));
  });

  it('refuses a lock held on another host (cannot check it)', () => {
    fs.writeFileSync(lockFile(), `${process.ppid}\nsome-other-host\n`);
    expect(() => openSpool()).toThrow(/on some-other-host/);
  });

  it('takes over a stale lock left by a dead process', { timeout: 30_000 }, () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(child.stdout);
    expect(deadPid).toBeGreaterThan(0);
    fs.writeFileSync(lockFile(), `${deadPid}\n${os.hostname()}\n`);
    openSpool().add(events(1));
    expect(fs.readFileSync(lockFile(), 'utf8').split('\n')[0]).toBe(String(process.pid));
  });

  it('takes over an empty lock file (its writer died between create and write)', () => {
    fs.writeFileSync(lockFile(), '');
    expect(() => openSpool()).not.toThrow();
  });
});
