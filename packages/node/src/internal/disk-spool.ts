import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TracklaneError, TracklaneErrorCode } from '@tracklane/core';
import type { EventStoreFactory } from '@tracklane/core';
import { acquireSpoolLock } from './spool-lock.js';
import { DiskSpoolStore, type SpoolSettings } from './spool-store.js';

export interface DiskSpoolOptions {
  /**
   * Directory of the spool (created if missing): one append-only `<destination>.log` per destination
   * and a `spool.lock`. One process (and one tracker in it) at a time: the lock file holds the owner's
   * pid and host, and a tracker that finds it held by a live process throws a `STORE` error from
   * `createNodeTracker`. A lock left by a dead process (crash, `kill -9`) is taken over at the next
   * start; a lock from another host (a shared network directory) is never taken over: delete it by hand.
   */
  dir: string;
  /**
   * Most events queued per destination; beyond it the newest are refused (dropped as `store_full`).
   * @default 1_000_000
   */
  maxEvents?: number;
  /**
   * Most bytes of queued events (serialized envelopes) per destination; beyond it the newest are
   * refused. The log file also holds acknowledged records until it is compacted (when they outnumber
   * the queued events and exceed 10,000 lines), so it stays below about twice this plus a few MiB.
   * @default 268_435_456 (256 MiB)
   */
  maxBytes?: number;
  /**
   * What an event has survived once `add()` returns, in the words of the collector's file sink.
   * `'write'`: its append reached the OS page cache, which survives a crash of the process (even
   * `kill -9`) but not a power loss or kernel panic. `'fsync'`: every batch of events added is
   * `fdatasync`ed before `add()` returns (and a new log file's name synced), which survives power
   * loss at the cost of a disk flush per batch. Compaction always syncs. The default differs from
   * the file sink's (`'fsync'`): a spool holds events until a collector has them; the collector's
   * store is where they are kept.
   * @default 'write'
   */
  durability?: 'fsync' | 'write';
  /**
   * @deprecated Use `durability`: `'never'` is `'write'`, `'batch'` is `'fsync'`. Still accepted;
   * given with a `durability` that means something else, the spool refuses both (INVALID_CONFIG).
   */
  fsync?: 'never' | 'batch';
}

/**
 * A durable store per destination: an append-only log file in `options.dir`, replayed into an
 * in-memory index at open. Each `add()`/`remove()` is one synchronous `write` to an open descriptor,
 * so events are in the page cache when `add()` returns and survive `kill -9`. The log is compacted
 * (rewritten, fsynced, renamed atomically) when acknowledged events dominate it. The directory is
 * locked (`spool.lock` with the pid) against a second process or tracker; a lock left by a dead
 * process is taken over.
 */
export function createDiskSpool(options: DiskSpoolOptions): EventStoreFactory {
  const settings = resolveOptions(options);
  const open = new Set<string>();
  let release: (() => void) | undefined;
  return (destination) => {
    const file = path.join(settings.dir, `${fileNameOf(destination)}.log`);
    if (open.has(file)) throw new TracklaneError(TracklaneErrorCode.STORE, `Tracklane: the spool of destination "${destination}" is already open`);
    fs.mkdirSync(settings.dir, { recursive: true });
    release ??= acquireSpoolLock(settings.dir);
    try {
      const store = new DiskSpoolStore(file, settings, () => {
        open.delete(file);
        if (open.size === 0) {
          release?.();
          release = undefined;
        }
      });
      open.add(file);
      return store;
    } catch (error) {
      if (open.size === 0) {
        release();
        release = undefined;
      }
      throw new TracklaneError(TracklaneErrorCode.STORE, `Tracklane: cannot open the disk spool ${file}`, { cause: error });
    }
  };
}

function resolveOptions(options: DiskSpoolOptions): SpoolSettings {
  const fail = (message: string): never => {
    throw new TracklaneError(TracklaneErrorCode.INVALID_CONFIG, `Tracklane: spool ${message}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object with a `dir`');
  if (typeof options.dir !== 'string' || options.dir === '') fail('`dir` must be a non-empty path');
  const settings: SpoolSettings = {
    dir: path.resolve(options.dir),
    maxEvents: options.maxEvents ?? 1_000_000,
    maxBytes: options.maxBytes ?? 256 * 1024 * 1024,
    durability: durabilityOf(options, fail),
  };
  for (const key of ['maxEvents', 'maxBytes'] as const) if (!(settings[key] > 0)) fail(`\`${key}\` must be a positive number`);
  return settings;
}

/** `durability`, or what the deprecated `fsync` spelling of it means; `'write'` when neither is given. */
function durabilityOf(options: DiskSpoolOptions, fail: (message: string) => never): SpoolSettings['durability'] {
  const { durability, fsync } = options;
  if (durability !== undefined && durability !== 'fsync' && durability !== 'write') fail("`durability` must be 'fsync' or 'write'");
  if (fsync !== undefined && fsync !== 'never' && fsync !== 'batch') fail("`fsync` must be 'never' or 'batch' (deprecated: use `durability`, 'write' or 'fsync')");
  const legacy = fsync === undefined ? undefined : fsync === 'batch' ? 'fsync' : 'write';
  if (durability !== undefined && legacy !== undefined && durability !== legacy) fail(`\`durability: '${durability}'\` and the deprecated \`fsync: '${fsync}'\` disagree: give \`durability\` only`);
  return durability ?? legacy ?? 'write';
}

/** A file name from a destination name: safe characters kept, others `%XX`-escaped, long names hashed. */
export function fileNameOf(destination: string): string {
  const escaped = destination.replace(/[^A-Za-z0-9_-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (escaped === '') return '%';
  if (escaped.length <= 100) return escaped;
  return `${escaped.slice(0, 60)}-${createHash('sha256').update(destination).digest('hex').slice(0, 16)}`;
}
