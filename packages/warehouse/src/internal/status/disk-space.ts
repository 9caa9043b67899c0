import { statfs } from 'node:fs/promises';
import path from 'node:path';

/** Space on the filesystem that holds a database file: where its write-ahead log and checkpoints go. */
export interface DiskSpace {
  /** Bytes this process may still write (what `df` calls available). */
  free: number;
  size: number;
}

/**
 * The filesystem space of `file`'s directory; undefined for `:memory:` or a directory that cannot be
 * read. A DuckDB database that runs out of it fails its commits with "No space left on device" and
 * keeps what it committed before: `status` shows this so the cause is visible without a failed load.
 */
export async function diskSpaceOf(file: string): Promise<DiskSpace | undefined> {
  if (file === ':memory:') return undefined;
  try {
    const stats = await statfs(path.dirname(path.resolve(file)));
    return { free: stats.bavail * stats.bsize, size: stats.blocks * stats.bsize };
  } catch {
    return undefined;
  }
}
