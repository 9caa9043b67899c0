import { closeSync, fsyncSync, openSync, promises as fs } from 'node:fs';

/**
 * What platforms and file systems answer when a directory cannot be opened or synced at all
 * (Windows, some network file systems): there is nothing more to do there, the data itself is synced.
 */
const UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'ENOTSUP', 'EPERM', 'EACCES']);

const unsupported = (error: unknown): boolean => UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '');

/**
 * Makes the entries of `dir` durable. A new file or directory survives power loss only once the
 * directory holding its name is synced: an fsync of the file itself does not write that name.
 * An I/O error rejects (what was written may not be on disk); unsupported platforms are skipped.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!unsupported(error)) throw error;
  } finally {
    await handle?.close();
  }
}

/** {@link fsyncDir}, blocking: for the store's root, created once at start. */
export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    if (!unsupported(error)) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
