import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import { listPartFiles, type PartFile } from './part-files.js';
import { readLines } from './read-lines.js';
import type { Source, SourceBacklog, SourceBatch, SourcePosition } from './source.js';

export interface RawStoreSourceOptions {
  /** Root of a raw store written by the collector's file sink (`good/`, `bad/`). */
  dir: string;
  /**
   * A line longer than this is not held in memory: its first 4 KiB go to quarantine
   * (LINE_TOO_LONG). Far above any record the collector writes (a batch body is at most 8 MiB
   * inflated by default).
   * @default 67108864 (64 MiB)
   */
  maxLineBytes?: number;
}

const DEFAULT_MAX_LINE_BYTES = 64 << 20;

/** Bytes before a position kept as its fingerprint: enough to tell one record's end from another's. */
const FINGERPRINT_BYTES = 32;

/**
 * The collector's file raw store as a source: every part file under `good/` and `bad/` (found by
 * walking the store, whatever its partitioning), followed by byte offset. A file that grew since
 * the last load is read from where the load stopped; a new file from its start.
 */
export function rawStoreSource(options: RawStoreSourceOptions): Source {
  const dir = path.resolve(options.dir);
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  return {
    name: dir,
    readsAhead: true,
    read: async (positions, maxLines) => {
      const files = await listPartFiles(await storeRoot(dir));
      const batch: SourceBatch = { lines: [], positions: [], rewritten: [] };
      for (const file of files) {
        const room = maxLines - batch.lines.length;
        if (room <= 0) break;
        const known = positions.get(file.key);
        if (known && known.offset === file.size) continue;
        await readFile(file, known, room, maxLineBytes, batch);
      }
      return batch;
    },
    backlog: async (positions) => {
      const files = await listPartFiles(await storeRoot(dir));
      return files.map((file): SourceBacklog => {
        const loaded = positions.get(file.key)?.offset ?? 0;
        // A file shorter than what was loaded was rewritten: all of it waits to be read again.
        return { key: file.key, kind: file.kind, loaded: loaded <= file.size ? loaded : 0, total: file.size };
      });
    },
  };
}

async function readFile(file: PartFile, known: SourcePosition | undefined, maxLines: number, maxLineBytes: number, batch: SourceBatch): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file.file, 'r');
  } catch (error) {
    // Removed since the walk (retention): nothing to read.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    let start = known?.offset ?? 0;
    if (start > 0 && (start > file.size || (await fingerprintAt(handle, start)) !== known!.fingerprint)) {
      batch.rewritten.push(file.key);
      start = 0;
    }
    const { lines, end } = await readLines(handle, start, file.size, maxLines, maxLineBytes);
    for (const line of lines) batch.lines.push({ kind: file.kind, key: file.key, ...line });
    if (end !== (known?.offset ?? 0) || start !== (known?.offset ?? 0)) batch.positions.push({ key: file.key, kind: file.kind, offset: end, fingerprint: await fingerprintAt(handle, end) });
  } finally {
    await handle.close();
  }
}

/** The last FINGERPRINT_BYTES bytes before `offset`, hex. */
async function fingerprintAt(handle: fs.FileHandle, offset: number): Promise<string> {
  const from = Math.max(0, offset - FINGERPRINT_BYTES);
  const buffer = Buffer.alloc(offset - from);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
  return buffer.subarray(0, bytesRead).toString('hex');
}

/** The store's real root; a path that is not a raw store is an error, never an empty load. */
async function storeRoot(dir: string): Promise<string> {
  let root: string;
  try {
    root = await fs.realpath(dir);
  } catch (error) {
    throw new WarehouseError(WarehouseErrorCode.SOURCE_UNREADABLE, `--from ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  const entries = await fs.readdir(root).catch((error: unknown) => {
    throw new WarehouseError(WarehouseErrorCode.SOURCE_UNREADABLE, `--from ${dir} is not a directory`, { cause: error });
  });
  if (!entries.includes('good') && !entries.includes('bad')) {
    throw new WarehouseError(WarehouseErrorCode.SOURCE_UNREADABLE, `--from ${dir} is not a raw store: it has neither good/ nor bad/`);
  }
  return root;
}
