import { promises as fs, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { LINE_FEED } from '../char-codes.js';
import { GoodLineReader } from './good-line-id.js';
import type { RecentIds } from './sink.js';
import { isDateDir, isPartFileName, partitionStart } from './store-layout.js';

/**
 * Bytes read at a time, from the end of a part file towards its start: 1 MiB first, twice as much at
 * each next read of the same file, up to 8 MiB. Reading backwards gets no read-ahead from the OS: large
 * reads keep a cold disk busy; small first ones keep a window much smaller than the store cheap.
 */
const CHUNK_BYTES = { first: 1 << 20, max: 8 << 20 };

/** A part file being read backwards: `[0, end)` is still to read; `carry` is the start of a line whose beginning is before `end`. */
interface Cursor {
  file: string;
  end: number;
  carry: Buffer | undefined;
  /** `ahead`: the end of the file is still to read; `torn`: bytes after its last newline (a line torn by a crash, never acknowledged) are being skipped. */
  tail: 'ahead' | 'torn' | 'read';
  /** The line after the next one read is empty: the file sink's mark after a torn line (openAppend). */
  blankAfter: boolean;
  /** No line still to read was received after this (epoch ms): the file's mtime, then the oldest line read. */
  newest: number;
  /** The next chunk, read while another file's chunk was parsed. */
  ahead: Promise<Chunk> | undefined;
  /** Bytes of the next read. */
  chunkBytes: number;
}

interface Chunk {
  start: number;
  data: Buffer;
}

/**
 * The ids of the good events in a raw store received at or after `since` (epoch ms), about the
 * `maxIds` most recent, oldest first. Part files last written before `since` are not opened; the
 * others are read backwards from their end (appended in receive order, their newest lines come last),
 * always next from the file whose unread lines may be the newest, until `maxIds` ids are found: the
 * bytes read follow `maxIds`, not the size of the store.
 */
export async function readRecentIds(root: string, since: number, maxIds: number, chunkBytes = CHUNK_BYTES): Promise<RecentIds> {
  const found: Found = { ids: [], times: [], skipped: 0, bytes: 0 };
  const cursors = (await partFiles(path.join(root, 'good')))
    .filter((file) => file.mtimeMs >= since && file.size > 0)
    .map((file): Cursor => ({ file: file.path, end: file.size, carry: undefined, tail: 'ahead', blankAfter: false, newest: file.mtimeMs, ahead: undefined, chunkBytes: chunkBytes.first }));
  const files = cursors.length;
  const reader = new GoodLineReader();
  /** Lines received before this are not wanted: before `since`, or older than `maxIds` lines already found. */
  let floor = since;
  const slack = Math.max(1, maxIds >> 2);
  try {
    while (cursors.length > 0) {
      const next = newest(cursors);
      const cursor = cursors[next]!;
      if (cursor.newest < floor) break;
      const chunk = await (cursor.ahead ?? readChunk(cursor, chunkBytes.max));
      cursor.ahead = undefined;
      // The files read after this chunk are likely this one and the newest of the others: their disk
      // reads overlap this parse. At most READ_AHEAD chunks wait, so memory stays bounded.
      for (const likely of [cursor, cursors[newest(cursors, next)]]) {
        if (likely && !likely.ahead && likely.end > 0 && cursors.filter((c) => c.ahead !== undefined).length < READ_AHEAD) likely.ahead = readChunk(likely, chunkBytes.max);
      }
      found.bytes += chunk.data.length;
      readLines(cursor, chunk, floor, reader, found);
      if (chunk.start === 0 || cursor.newest < floor) {
        cursors.splice(next, 1);
        // Read ahead for nothing (the loop above may have set it: TypeScript does not see that).
        void (cursor.ahead as Promise<Chunk> | undefined)?.catch(() => undefined);
      }
      if (found.ids.length >= maxIds + slack) floor = keepNewest(found, maxIds);
    }
  } finally {
    await Promise.allSettled(cursors.flatMap((cursor) => (cursor.ahead ? [cursor.ahead] : [])));
  }
  keepNewest(found, maxIds);
  return { ids: found.ids, receivedAt: found.times, files, bytes: found.bytes, skipped: found.skipped };
}

interface Found {
  ids: string[];
  /** Receive time of each id (epoch ms). */
  times: number[];
  skipped: number;
  bytes: number;
}

/** Keeps the `maxIds` most recent of `found`, oldest first; returns the oldest receive time kept. */
function keepNewest(found: Found, maxIds: number): number {
  const { ids, times } = found;
  // Read backwards, file by file: runs that sort quickly.
  const order = Array.from(ids.keys()).sort((a, b) => times[a]! - times[b]!);
  const kept = order.slice(Math.max(0, order.length - maxIds));
  found.ids = kept.map((i) => ids[i]!);
  found.times = kept.map((i) => times[i]!);
  return found.times[0] ?? -Infinity;
}

/** Chunks read ahead at most. */
const READ_AHEAD = 4;

/** The index of the cursor whose unread lines may be the newest, other than `except`; -1 when none. */
function newest(cursors: readonly Cursor[], except = -1): number {
  let found = -1;
  for (let i = 0; i < cursors.length; i++) if (i !== except && (found === -1 || cursors[i]!.newest > cursors[found]!.newest)) found = i;
  return found;
}

/** Reads the chunk before `cursor.end`, which moves to its start at once. */
async function readChunk(cursor: Cursor, maxChunkBytes: number): Promise<Chunk> {
  const start = Math.max(0, cursor.end - cursor.chunkBytes);
  cursor.chunkBytes = Math.min(cursor.chunkBytes * 2, maxChunkBytes);
  const data = Buffer.allocUnsafe(cursor.end - start);
  cursor.end = start;
  const handle = await fs.open(cursor.file, 'r');
  try {
    for (let read = 0; read < data.length; ) {
      const { bytesRead } = await handle.read(data, read, data.length - read, start + read);
      if (bytesRead === 0) throw new Error(`${cursor.file} is shorter than it was`);
      read += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { start, data };
}

/**
 * Adds the ids of the lines `chunk` completes, received at or after `since`, to `found`; the partial
 * line at its start becomes the carry, read with the next chunk.
 */
function readLines(cursor: Cursor, chunk: Chunk, since: number, reader: GoodLineReader, found: Found): void {
  let data = chunk.data;
  if (cursor.tail !== 'read') {
    const last = data.lastIndexOf(LINE_FEED);
    if (cursor.tail === 'ahead' && last < data.length - 1) found.skipped++;
    cursor.tail = 'torn';
    if (last === -1) return;
    data = data.subarray(0, last + 1);
    cursor.tail = 'read';
  }
  if (cursor.carry) data = Buffer.concat([data, cursor.carry]);
  let from = 0;
  cursor.carry = undefined;
  if (chunk.start > 0) {
    // The first line may have begun before this chunk: it is read with the next one.
    from = data.indexOf(LINE_FEED) + 1;
    cursor.carry = Buffer.from(data.subarray(0, from));
  }
  let oldest = Infinity;
  for (let start = from; start < data.length; ) {
    const end = data.indexOf(LINE_FEED, start);
    const next = end + 1;
    if (end > start) {
      const suspect = next < data.length ? data[next] === LINE_FEED : cursor.blankAfter;
      if (reader.read(data, start, end, suspect)) {
        if (reader.receivedAt < oldest) oldest = reader.receivedAt;
        if (reader.receivedAt >= since) {
          found.ids.push(reader.id);
          found.times.push(reader.receivedAt);
        }
      } else {
        found.skipped++;
      }
    }
    start = next;
  }
  if (from < data.length) cursor.blankAfter = data[from] === LINE_FEED;
  if (oldest < cursor.newest) cursor.newest = oldest;
}

interface PartFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Directory reads and stats between two turns of the event loop. */
const LIST_SLICE = 256;

/**
 * The part files of `<good>`'s hour partitions (store-layout), with their size and last write time. Synchronous calls, a
 * slice at a time: a year of partitions (17,520 files from two collectors) takes about a third of the
 * time a promise per file does, and the event loop still turns between slices.
 */
async function partFiles(good: string): Promise<PartFile[]> {
  const files: PartFile[] = [];
  let calls = 0;
  const turn = async (): Promise<void> => {
    if (++calls % LIST_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  for (const date of list(good)) {
    if (!isDateDir(date)) continue;
    for (const hour of list(path.join(good, date))) {
      if (partitionStart(date, hour) === undefined) continue;
      await turn();
      const dir = path.join(good, date, hour);
      for (const name of list(dir)) {
        if (!isPartFileName(name)) continue;
        await turn();
        const file = path.join(dir, name);
        // Missing when removed since it was listed (a retention job): nothing to read.
        const stat = statSync(file, { throwIfNoEntry: false });
        if (stat) files.push({ path: file, size: stat.size, mtimeMs: stat.mtimeMs });
      }
    }
  }
  return files;
}

/** A directory's entries; none when it does not exist (a new store, or nothing good landed yet). */
function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
