import fs from 'node:fs';
import type { StoredEvent } from '@tracklane/core';
import { errorCode } from './spool-lock.js';

/**
 * The spool's on-disk format: UTF-8 lines, appended only.
 *
 *   +{"id":"…","purpose":"analytics","createdAt":1764108000000,"bytes":412}<TAB>{…envelope…}
 *   -["<id>","<id>",...]
 *
 * An add line is the event's fields (all of `StoredEvent` but `json`) then, after a tab, the
 * envelope exactly as core serialized it (`json`, `bytes` long): written and read back without
 * re-encoding. JSON as `JSON.stringify` writes it never contains a raw tab or newline, so a line is a
 * record. Only the last line can be torn (the process died inside `write`): it has no newline, and
 * replay cuts it off before appending again.
 */
export const ADD = '+';
export const REMOVE = '-';
const TAB = 0x09;
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const KNOWN_FIELDS = 5; // id, purpose, createdAt, json, bytes

/** The text of an add line (with its newline). `event.bytes` must be the UTF-8 length of `event.json`. */
export function addLine(event: StoredEvent): string {
  const { id, purpose, createdAt, bytes, json } = event;
  // Written by hand: a generic stringify of the fields costs as much as the rest of add() together.
  if (Object.keys(event).length === KNOWN_FIELDS) {
    return `${ADD}{"id":${JSON.stringify(id)},"purpose":${JSON.stringify(purpose)},"createdAt":${createdAt},"bytes":${bytes}}\t${json}\n`;
  }
  const { json: _json, ...fields } = event; // fields a newer core added: keep them all
  return `${ADD}${JSON.stringify(fields)}\t${json}\n`;
}

export interface ReplayResult {
  /** Live events, oldest first. */
  entries: Map<string, StoredEvent>;
  /** Complete lines in the file, live or dead. */
  lines: number;
  /** Length of the file up to its last newline; anything after it is a torn line. */
  validBytes: number;
  /** A torn last line (0 or 1). */
  tornLines: number;
  /** Complete lines that are not records (disk corruption, power loss without fsync). */
  corruptLines: number;
}

const CHUNK_BYTES = 4 * 1024 * 1024;

/** Reads a spool log (missing = empty) and rebuilds the live events in order. */
export function replayLog(file: string): ReplayResult {
  const result: ReplayResult = { entries: new Map(), lines: 0, validBytes: 0, tornLines: 0, corruptLines: 0 };
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
        result.lines++;
        if (!applyLine(result, data, start, end)) result.corruptLines++;
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

/** Applies the line `data[start, end)`; false when it is not a well-formed record. */
function applyLine(result: ReplayResult, data: Buffer, start: number, end: number): boolean {
  try {
    if (data[start] === ADD.charCodeAt(0)) {
      const tab = data.indexOf(TAB, start);
      if (tab === -1 || tab > end || data[tab + 1] !== OPEN_BRACE || data[end - 1] !== CLOSE_BRACE) return false;
      const fields = JSON.parse(data.toString('utf8', start + 1, tab)) as Partial<StoredEvent>;
      const { id, purpose, createdAt, bytes } = fields;
      if (typeof id !== 'string' || typeof purpose !== 'string' || typeof createdAt !== 'number') return false;
      if (bytes !== end - tab - 1) return false; // a cut or garbled envelope
      if (!result.entries.has(id)) result.entries.set(id, { ...fields, id, purpose, createdAt, bytes, json: data.toString('utf8', tab + 1, end) });
      return true;
    }
    if (data[start] === REMOVE.charCodeAt(0)) {
      const ids = JSON.parse(data.toString('utf8', start + 1, end)) as unknown;
      if (!Array.isArray(ids)) return false;
      for (const id of ids) if (typeof id === 'string') result.entries.delete(id);
      return true;
    }
  } catch {
    // not JSON: corrupt
  }
  return false;
}

/** Writes all of `data` at the end of an `O_APPEND` file, retrying short writes. */
export function appendAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
}

/**
 * What platforms and file systems answer when a directory cannot be opened or synced at all
 * (Windows, some network file systems): there is nothing more to do there, the data itself is
 * synced. The collector's fsyncDir skips the same codes.
 */
const UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'ENOTSUP', 'EPERM', 'EACCES']);

/**
 * Makes a rename or a new file in `dir` durable (its directory entry). An I/O error (EIO) throws:
 * the name may not be on disk, and the caller decides what that means; unsupported platforms are
 * skipped.
 */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    if (!UNSUPPORTED.has(errorCode(error) ?? '')) throw error;
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
export function writeCompacted(file: string, entries: Iterable<StoredEvent>): { fd: number; bytes: number } {
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
      const line = addLine(entry);
      parts.push(line);
      pending += line.length;
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
