import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TracklaneError, TracklaneErrorCode } from '@tracklane/core';
import type { AddResult, EventStore, EventStoreFactory, PeekOptions, StoredEvent } from '@tracklane/core';
import { acquireSpoolLock } from './spool-lock.js';
import { ADD, HOT_EVENTS, REMOVE, appendAll, fsyncDir, replayLog, writeCompacted, type SpoolEntry } from './spool-log.js';

export interface DiskSpoolOptions {
  /** Directory of the spool (created if missing): one `<destination>.log` per destination and a `spool.lock`. */
  dir: string;
  /**
   * Most events queued per destination; beyond it the newest are refused (dropped as `store_full`).
   * @default 1_000_000
   */
  maxEvents?: number;
  /**
   * Most bytes of queued events (serialized envelopes) per destination; beyond it the newest are refused.
   * @default 268_435_456 (256 MiB)
   */
  maxBytes?: number;
  /**
   * `'never'`: appends go to the OS page cache, which survives a crash of the process (even
   * `kill -9`) but not a power loss or kernel panic. `'batch'`: every batch of events added is
   * `fdatasync`ed before `add()` returns, which survives power loss at the cost of a disk flush per
   * batch. Compaction always syncs.
   * @default 'never'
   */
  fsync?: 'never' | 'batch';
}

/** Compaction runs when dead lines outnumber live events and there are more than this many. */
const COMPACT_MIN_DEAD_LINES = 10_000;

/** What a spool found and did; for tests and diagnostics. */
export interface DiskSpoolStats {
  file: string;
  events: number;
  bytes: number;
  /** Lines in the log, live or dead. */
  lines: number;
  /** A torn last line found at open (a crash mid-write); it was cut off. */
  tornLines: number;
  /** Complete lines that did not parse at open; skipped. */
  corruptLines: number;
  compactions: number;
  /** The last compaction failure, if any (compaction is retried later; no event is lost). */
  lastError?: string;
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

type Settings = Required<DiskSpoolOptions>;

export class DiskSpoolStore implements EventStore {
  private entries: Map<string, SpoolEntry>;
  private hot: number;
  private bytes = 0;
  private lines: number;
  private fileBytes: number;
  private fd: number | undefined;
  private compactions = 0;
  private retryCompactionAt = 0;
  private lastError: string | undefined;
  private readonly tornLines: number;
  private readonly corruptLines: number;

  constructor(
    readonly file: string,
    private readonly settings: Settings,
    private readonly onClose: () => void,
  ) {
    fs.rmSync(`${file}.compact`, { force: true }); // left by a crash mid-compaction; the log is intact
    const replay = replayLog(file);
    this.entries = replay.entries;
    this.hot = replay.hot;
    this.lines = replay.lines;
    this.tornLines = replay.tornLines;
    this.corruptLines = replay.corruptLines;
    for (const entry of this.entries.values()) this.bytes += entry.bytes;
    const existed = fs.existsSync(file);
    // Cut a torn tail so the next record starts on a line of its own.
    if (replay.tornLines > 0) fs.truncateSync(file, replay.validBytes);
    this.fd = fs.openSync(file, 'a');
    this.fileBytes = replay.validBytes;
    if (!existed && settings.fsync === 'batch') fsyncDir(settings.dir);
    if (replay.corruptLines > 0) this.compact();
    else this.compactIfMostlyDead();
  }

  add(events: readonly StoredEvent[]): AddResult {
    const fd = this.descriptor();
    const refused: StoredEvent[] = [];
    const accepted = new Map<string, SpoolEntry>();
    let bytes = this.bytes;
    let hot = this.hot;
    const parts: string[] = [];
    for (const event of events) {
      const id = event.id;
      if (this.entries.size + accepted.size >= this.settings.maxEvents || bytes + event.bytes > this.settings.maxBytes) {
        refused.push(event);
        continue;
      }
      if (this.entries.has(id) || accepted.has(id)) continue;
      const json = JSON.stringify(event);
      const entry: SpoolEntry = { json, purpose: event.purpose, bytes: event.bytes };
      if (hot < HOT_EVENTS) {
        entry.event = event;
        hot++;
      }
      accepted.set(id, entry);
      bytes += event.bytes;
      parts.push(ADD, json, '\n');
    }
    if (accepted.size === 0) return { refused };
    this.append(fd, parts.join(''), this.settings.fsync === 'batch');
    for (const [id, entry] of accepted) this.entries.set(id, entry);
    this.hot = hot;
    this.bytes = bytes;
    this.lines += accepted.size;
    return { refused };
  }

  peek({ limit, maxBytes, exclude }: PeekOptions): StoredEvent[] {
    this.descriptor();
    const batch: StoredEvent[] = [];
    let bytes = 0;
    for (const [id, entry] of this.entries) {
      if (batch.length >= limit) break;
      if (exclude.has(id)) continue;
      if (batch.length > 0 && bytes + entry.bytes > maxBytes) break;
      batch.push(entry.event ?? (JSON.parse(entry.json) as StoredEvent));
      bytes += entry.bytes;
    }
    return batch;
  }

  remove(ids: readonly string[]): number {
    const removed = new Set<string>();
    for (const id of ids) if (this.entries.has(id)) removed.add(id);
    this.removeIds([...removed]);
    return removed.size;
  }

  purgePurpose(purpose: string, keep: ReadonlySet<string>): StoredEvent[] {
    const ids: string[] = [];
    const events: StoredEvent[] = [];
    for (const [id, entry] of this.entries) {
      if (entry.purpose !== purpose || keep.has(id)) continue;
      ids.push(id);
      events.push(entry.event ?? (JSON.parse(entry.json) as StoredEvent));
    }
    this.removeIds(ids);
    return events;
  }

  count(): number {
    return this.entries.size;
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fs.closeSync(fd);
    } finally {
      this.onClose();
    }
  }

  stats(): DiskSpoolStats {
    return {
      file: this.file,
      events: this.entries.size,
      bytes: this.bytes,
      lines: this.lines,
      tornLines: this.tornLines,
      corruptLines: this.corruptLines,
      compactions: this.compactions,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private removeIds(ids: readonly string[]): void {
    const fd = this.descriptor();
    if (ids.length === 0) return;
    // Not synced even with fsync 'batch': a lost removal only means the event is sent again.
    this.append(fd, `${REMOVE}${JSON.stringify(ids)}\n`, false);
    for (const id of ids) {
      const entry = this.entries.get(id)!;
      this.bytes -= entry.bytes;
      if (entry.event) this.hot--;
      this.entries.delete(id);
    }
    this.lines++;
    this.compactIfMostlyDead();
  }

  /** One write per call; on failure the file is cut back so no half record stays in the middle. */
  private append(fd: number, text: string, sync: boolean): void {
    const data = Buffer.from(text);
    try {
      appendAll(fd, data);
      if (sync) fs.fdatasyncSync(fd);
    } catch (error) {
      try {
        fs.ftruncateSync(fd, this.fileBytes);
      } catch {
        // the write error below is what matters
      }
      throw new TracklaneError(TracklaneErrorCode.STORE, `Tracklane: cannot write the disk spool ${this.file}`, { cause: error });
    }
    this.fileBytes += data.length;
  }

  private compactIfMostlyDead(): void {
    const dead = this.lines - this.entries.size;
    if (dead > this.entries.size && dead > COMPACT_MIN_DEAD_LINES && this.lines >= this.retryCompactionAt) this.compact();
  }

  /**
   * Never throws: the log stays valid when compaction fails (e.g. a full disk), so the caller's
   * add or remove still succeeded. It is tried again after as many lines again.
   */
  private compact(): void {
    try {
      const { fd, bytes } = writeCompacted(this.file, this.entries.values());
      // From here the new file is the log: switch before anything else can fail.
      const previous = this.fd;
      this.fd = fd;
      this.fileBytes = bytes;
      this.lines = this.entries.size;
      this.compactions++;
      this.retryCompactionAt = 0;
      fsyncDir(this.settings.dir);
      if (previous !== undefined) fs.closeSync(previous);
    } catch (error) {
      this.lastError = String(error);
      this.retryCompactionAt = this.lines + COMPACT_MIN_DEAD_LINES;
    }
  }

  private descriptor(): number {
    if (this.fd === undefined) throw new TracklaneError(TracklaneErrorCode.STORE, `Tracklane: the disk spool ${this.file} is closed`);
    return this.fd;
  }
}

function resolveOptions(options: DiskSpoolOptions): Settings {
  const fail = (message: string): never => {
    throw new TracklaneError(TracklaneErrorCode.INVALID_CONFIG, `Tracklane: spool ${message}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object with a `dir`');
  if (typeof options.dir !== 'string' || options.dir === '') fail('`dir` must be a non-empty path');
  const settings: Settings = {
    dir: path.resolve(options.dir),
    maxEvents: options.maxEvents ?? 1_000_000,
    maxBytes: options.maxBytes ?? 256 * 1024 * 1024,
    fsync: options.fsync ?? 'never',
  };
  for (const key of ['maxEvents', 'maxBytes'] as const) if (!(settings[key] > 0)) fail(`\`${key}\` must be a positive number`);
  if (settings.fsync !== 'never' && settings.fsync !== 'batch') fail("`fsync` must be 'never' or 'batch'");
  return settings;
}

/** A file name from a destination name: safe characters kept, others `%XX`-escaped, long names hashed. */
export function fileNameOf(destination: string): string {
  const escaped = destination.replace(/[^A-Za-z0-9_-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (escaped === '') return '%';
  if (escaped.length <= 100) return escaped;
  return `${escaped.slice(0, 60)}-${createHash('sha256').update(destination).digest('hex').slice(0, 16)}`;
}
