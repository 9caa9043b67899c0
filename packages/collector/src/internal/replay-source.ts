import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Envelope } from '@tracklane/core';
import { LINE_FEED } from './char-codes.js';
import { CollectorError, CollectorErrorCode, isCollectorError } from './errors.js';
import { HOUR_MS, isDateDir, isPartFileName, partitionStart } from './sinks/store-layout.js';

/** A good record of the raw store: its envelope and its line exactly as the file sink wrote it. */
export interface StoredGoodRecord {
  envelope: Envelope;
  line: string;
  /** When the collector received it (epoch ms): the time of its partition. */
  receivedAt: number;
}

/** A path in the store a replay did not read, relative to the store's root. */
export interface RefusedPath {
  path: string;
  why: 'a symlink out of the store' | 'not a regular file';
}

/** What reading a store skipped, so a summary can say so. */
export interface SourceTally {
  /** Lines that are not JSON: torn by a crash mid-append (never acknowledged), or damaged. */
  unreadable: number;
  /** Lines that are JSON but not a good record (no `receivedAt` time, no envelope with an id and `ts.created`). */
  notRecords: number;
  refused: RefusedPath[];
}

/**
 * A line longer than this is skipped as unreadable without being held whole: a part file damaged
 * into one endless line cannot exhaust the replay's memory. Far above any record the collector writes
 * (a batch body is at most `maxInflatedBytes`, 8 MiB by default).
 */
const MAX_LINE_BYTES = 64 << 20;

/** The store's real root; a `from` that is not a raw store is an error (REPLAY_SOURCE), never an empty replay. */
export async function storeRoot(from: string): Promise<string> {
  let root: string;
  try {
    root = await fs.realpath(from);
    if (!(await fs.stat(root)).isDirectory()) throw new CollectorError(CollectorErrorCode.REPLAY_SOURCE, `--from ${from} is not a directory`);
  } catch (error) {
    if (isCollectorError(error)) throw error;
    throw new CollectorError(CollectorErrorCode.REPLAY_SOURCE, `--from ${from} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  const entries = await fs.readdir(root);
  if (!entries.includes('good') && !entries.includes('bad')) {
    throw new CollectorError(CollectorErrorCode.REPLAY_SOURCE, `--from ${from} is not a raw store: it has neither good/ nor bad/`);
  }
  return root;
}

/**
 * The hour partitions of `good/` (store-layout: `date=YYYY-MM-DD/hour=HH`, the receive hour) that can hold events
 * received in [since, until), oldest first, each with its part files in name order. Symlinks are
 * followed only where they stay inside the store; others, and entries that are not regular files
 * (a FIFO would block the replay), are refused and listed in `tally`.
 */
export async function partitionsBetween(root: string, since: number, until: number, tally: SourceTally): Promise<{ start: number; files: string[] }[]> {
  const partitions: { start: number; files: string[] }[] = [];
  const good = await inside(root, path.join(root, 'good'), tally, 'directory');
  if (!good) return partitions;
  for (const date of (await fs.readdir(good)).filter(isDateDir).sort()) {
    const dateDir = await inside(root, path.join(good, date), tally, 'directory');
    if (!dateDir) continue;
    for (const hour of (await fs.readdir(dateDir)).sort()) {
      const start = partitionStart(date, hour);
      if (start === undefined || !(start + HOUR_MS > since && start < until)) continue;
      const hourDir = await inside(root, path.join(dateDir, hour), tally, 'directory');
      if (!hourDir) continue;
      const files: string[] = [];
      for (const name of (await fs.readdir(hourDir)).filter(isPartFileName).sort()) {
        const file = await inside(root, path.join(hourDir, name), tally, 'file');
        if (file) files.push(file);
      }
      partitions.push({ start, files });
    }
  }
  return partitions;
}

/** `entry` (its real path) when it is the kind wanted and inside the store; else refused (or missing: undefined). */
async function inside(root: string, entry: string, tally: SourceTally, kind: 'directory' | 'file'): Promise<string | undefined> {
  let real: string;
  let stat: Stats;
  try {
    real = await fs.realpath(entry);
    stat = await fs.stat(real);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed since listed, or a dangling link
    throw error;
  }
  const relative = path.relative(root, real);
  const shown = path.relative(root, entry);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    tally.refused.push({ path: shown, why: 'a symlink out of the store' });
    return undefined;
  }
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) {
    if (kind === 'file') tally.refused.push({ path: shown, why: 'not a regular file' });
    return undefined;
  }
  return real;
}

/** The good records of a part file received in [since, until), in file order; other lines are counted in `tally`. */
export async function* readGoodRecords(file: string, since: number, until: number, tally: SourceTally): AsyncGenerator<StoredGoodRecord> {
  for await (const line of lines(file, tally)) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      tally.unreadable++;
      continue;
    }
    const record = goodRecord(value, line);
    if (!record) tally.notRecords++;
    else if (record.receivedAt >= since && record.receivedAt < until) yield record;
  }
}

/** The stored good record `value` is, or undefined: what the replay relies on, checked. */
function goodRecord(value: unknown, line: string): StoredGoodRecord | undefined {
  if (!isObject(value) || typeof value.receivedAt !== 'string') return undefined;
  const receivedAt = Date.parse(value.receivedAt);
  const envelope = value.envelope;
  if (!Number.isFinite(receivedAt) || !isObject(envelope) || typeof envelope.id !== 'string' || envelope.id === '') return undefined;
  if (!isObject(envelope.ts) || typeof envelope.ts.created !== 'string') return undefined;
  return { envelope: envelope as unknown as Envelope, line, receivedAt };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The non-empty lines of a file as text; a line over MAX_LINE_BYTES is counted unreadable and never held whole. */
async function* lines(file: string, tally: SourceTally): AsyncGenerator<string> {
  const handle = await fs.open(file, 'r');
  try {
    let parts: Buffer[] = [];
    let held = 0;
    let oversized = false;
    for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) {
      let from = 0;
      for (let end = chunk.indexOf(LINE_FEED); end !== -1; end = chunk.indexOf(LINE_FEED, from)) {
        if (oversized || held + end - from > MAX_LINE_BYTES) tally.unreadable++;
        else if (held + end - from > 0) yield Buffer.concat([...parts, chunk.subarray(from, end)]).toString('utf8');
        parts = [];
        held = 0;
        oversized = false;
        from = end + 1;
      }
      if (from < chunk.length && !oversized) {
        held += chunk.length - from;
        if (held > MAX_LINE_BYTES) {
          oversized = true;
          parts = [];
        } else {
          parts.push(chunk.subarray(from));
        }
      }
    }
    // A last line without its newline: torn by a crash (its JSON then fails), or whole but unended.
    if (oversized) tally.unreadable++;
    else if (held > 0) yield Buffer.concat(parts).toString('utf8');
  } finally {
    await handle.close();
  }
}
