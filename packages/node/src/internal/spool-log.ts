import fs from 'node:fs';
import type { StoredEvent } from '@tracklane/core';
import { errorCode } from './spool-lock.js';

/**
 * The spool's on-disk format: UTF-8 lines, appended only.
 *
 *   +{"id":"…","purpose":"analytics","createdAt":…,"json":"{…}","bytes":412}   one queued event (a StoredEvent)
 *   -["<id>","<id>",...]                                      ids acknowledged or dropped
 *
 * JSON never contains a raw newline, so a line is a record. Only the last line can be torn (the
 * process died inside `write`): it has no newline, and replay cuts it off before appending again.
 */
export const ADD = '+';
export const REMOVE = '-';

/**
 * A live event as the spool keeps it in memory: its JSON line and what limits need. `event` is kept
 * for a bounded number of entries ({@link HOT_EVENTS}) so the common case (sent soon after it was
 * added) skips a parse; the others are parsed again on peek, which keeps a large backlog compact.
 */
export interface SpoolEntry {
  json: string;
  purpose: string;
  bytes: number;
  event?: StoredEvent;
}

/** Most entries that keep their parsed event in memory. */
export const HOT_EVENTS = 10_000;

export interface ReplayResult {
  /** Live events, oldest first. */
  entries: Map<string, SpoolEntry>;
  /** Complete lines in the file, live or dead. */
  lines: number;
  /** Length of the file up to its last newline; anything after it is a torn line. */
  validBytes: number;
  /** A torn last line (0 or 1). */
  tornLines: number;
  /** Complete lines that did not parse (disk corruption, power loss without fsync). */
  corruptLines: number;
  /** Entries holding their parsed event. */
  hot: number;
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Reads a spool log (missing = empty) and rebuilds the live events in order. */
export function replayLog(file: string): ReplayResult {
  const result: ReplayResult = { entries: new Map(), lines: 0, validBytes: 0, tornLines: 0, corruptLines: 0, hot: 0 };
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return result;
    throw error;
  }
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    for (;;) {
      const read = fs.readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
        applyLine(result, data.toString('utf8', start, end));
        result.validBytes += end - start + 1;
        start = end + 1;
      }
      carry = Buffer.from(data.subarray(start)); // copied: `chunk` is reused
    }
    if (carry.length > 0) result.tornLines = 1;
  } finally {
    fs.closeSync(fd);
  }
  return result;
}

function applyLine(result: ReplayResult, line: string): void {
  result.lines++;
  try {
    if (line.startsWith(ADD)) {
      const json = line.slice(1);
      const event = JSON.parse(json) as Partial<StoredEvent>;
      const id = event.id;
      if (typeof id !== 'string' || typeof event.purpose !== 'string' || typeof event.bytes !== 'number') throw new Error('bad add');
      if (result.entries.has(id)) return;
      const entry: SpoolEntry = { json, purpose: event.purpose, bytes: event.bytes };
      if (result.hot < HOT_EVENTS) {
        entry.event = event as StoredEvent;
        result.hot++;
      }
      result.entries.set(id, entry);
      return;
    }
    if (line.startsWith(REMOVE)) {
      const ids = JSON.parse(line.slice(1)) as unknown;
      if (!Array.isArray(ids)) throw new Error('bad remove');
      for (const id of ids) {
        if (typeof id !== 'string') continue;
        if (result.entries.get(id)?.event) result.hot--;
        result.entries.delete(id);
      }
      return;
    }
  } catch {
    // counted below
  }
  result.corruptLines++;
}

/** Writes all of `data` at the end of an `O_APPEND` file, retrying short writes. */
export function appendAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
}

/** Makes a rename or a new file in `dir` durable (its directory entry). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms and file systems cannot fsync a directory; the data itself is synced.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const COMPACT_CHUNK_BYTES = 1024 * 1024;

/**
 * Rewrites a log with only the live events: written to `<file>.compact`, fsynced, then renamed over
 * the log, so a crash at any point leaves either the old log or the complete new one. Returns the
 * new file's append descriptor (the renamed temporary file) and its size.
 */
export function writeCompacted(file: string, entries: Iterable<SpoolEntry>): { fd: number; bytes: number } {
  const temporary = `${file}.compact`;
  fs.rmSync(temporary, { force: true });
  const fd = fs.openSync(temporary, 'ax');
  let bytes = 0;
  try {
    let parts: string[] = [];
    let pending = 0;
    const writeParts = (): void => {
      const data = Buffer.from(parts.join(''));
      appendAll(fd, data);
      bytes += data.length;
      parts = [];
      pending = 0;
    };
    for (const entry of entries) {
      parts.push(ADD, entry.json, '\n');
      pending += entry.json.length + 2;
      if (pending >= COMPACT_CHUNK_BYTES) writeParts();
    }
    if (pending > 0) writeParts();
    fs.fdatasyncSync(fd);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  return { fd, bytes };
}
