import fs from 'node:fs';
import { TracklaneError, TracklaneErrorCode, selectBatch } from '@tracklane/core';
import type { AddResult, EventStore, PeekOptions, StoredEvent } from '@tracklane/core';
import type { DiskSpoolOptions } from './disk-spool.js';
import { REMOVE, addLine, appendAll, fsyncDir, replayLog, writeCompacted } from './spool-log.js';

/** The spool's options resolved: the deprecated `fsync` read into `durability`. */
export type SpoolSettings = Required<Omit<DiskSpoolOptions, 'fsync'>>;

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
 * The spool of one destination: the log replayed into an ordered in-memory index at open, then one
 * synchronous append per `add()`/`remove()`/`purgePurpose()`; compacted when dead records dominate.
 */
export class DiskSpoolStore implements EventStore {
  private entries: Map<string, StoredEvent>;
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
    private readonly settings: SpoolSettings,
    private readonly onClose: () => void,
  ) {
    fs.rmSync(`${file}.compact`, { force: true }); // left by a crash mid-compaction; the log is intact
    const replay = replayLog(file);
    this.entries = replay.entries;
    this.lines = replay.lines;
    this.tornLines = replay.tornLines;
    this.corruptLines = replay.corruptLines;
    for (const entry of this.entries.values()) this.bytes += entry.bytes;
    const existed = fs.existsSync(file);
    // Cut a torn tail so the next record starts on a line of its own.
    if (replay.tornLines > 0) fs.truncateSync(file, replay.validBytes);
    this.fd = fs.openSync(file, 'a');
    this.fileBytes = replay.validBytes;
    if (!existed && settings.durability === 'fsync') {
      try {
        fsyncDir(settings.dir);
      } catch (error) {
        // The new log's name may not survive a power loss, which `durability: 'fsync'` promises.
        fs.closeSync(this.fd);
        throw error;
      }
    }
    if (replay.corruptLines > 0) this.compact();
    else this.compactIfMostlyDead();
  }

  add(events: readonly StoredEvent[]): AddResult {
    const fd = this.descriptor();
    const refused: StoredEvent[] = [];
    const accepted = new Map<string, StoredEvent>();
    let bytes = this.bytes;
    let text = '';
    for (const event of events) {
      // A raw newline would end the record early (and could start a forged one). In JSON it can only
      // be whitespace between tokens: a space means the same and keeps the byte count.
      const json = event.json.includes('\n') ? event.json.replaceAll('\n', ' ') : event.json;
      // Measured before the bound is checked: a size the event claims is not trusted for it (nor by
      // replay, which checks each envelope's length against `bytes`).
      const length = Buffer.byteLength(json);
      if (this.entries.size + accepted.size >= this.settings.maxEvents || bytes + length > this.settings.maxBytes) {
        refused.push(event);
        continue;
      }
      if (this.entries.has(event.id) || accepted.has(event.id)) continue;
      // Replay needs a numeric `createdAt`: make sure.
      const createdAt = Number.isFinite(event.createdAt) ? event.createdAt : Date.now();
      const stored = length === event.bytes && createdAt === event.createdAt && json === event.json ? event : { ...event, json, bytes: length, createdAt };
      accepted.set(stored.id, stored);
      bytes += stored.bytes;
      text += addLine(stored);
    }
    if (accepted.size === 0) return { refused };
    this.append(fd, text, this.settings.durability === 'fsync');
    for (const [id, stored] of accepted) this.entries.set(id, stored);
    this.bytes = bytes;
    this.lines += accepted.size;
    return { refused };
  }

  peek(options: PeekOptions): StoredEvent[] {
    this.descriptor();
    return selectBatch(this.entries.values(), options);
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
    for (const [id, event] of this.entries) {
      if (event.purpose !== purpose || keep.has(id)) continue;
      ids.push(id);
      events.push(event);
    }
    this.removeIds(ids);
    return events;
  }

  count(): number {
    return this.entries.size;
  }

  size(): number {
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
    // Not synced even with durability 'fsync': a lost removal only means the event is sent again.
    this.append(fd, `${REMOVE}${JSON.stringify(ids)}\n`, false);
    for (const id of ids) {
      this.bytes -= this.entries.get(id)!.bytes;
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
      if (previous !== undefined) fs.closeSync(previous);
      try {
        fsyncDir(this.settings.dir);
      } catch (error) {
        // The new log is in use; a power loss may bring the old one back, whose events are all
        // still valid: no event is lost, and the error is reported in the stats.
        this.lastError = String(error);
      }
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
