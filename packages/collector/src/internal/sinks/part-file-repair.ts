import { promises as fs } from 'node:fs';
import { HOUR_MS, partFilePath } from './store-layout.js';

/** Bytes read at a time when looking backwards for a file's last newline. */
const TAIL_CHUNK = 65_536;

/**
 * Cuts `file` back to `size` bytes: what a failed commit appended (whole lines a retry would land
 * twice, and a torn one) goes, so the store holds only what was acknowledged. A missing file had
 * nothing appended. Synced with `sync`, so the cut survives a power loss as the lines would have.
 */
export async function truncateTo(file: string, size: number, sync: boolean): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if ((await handle.stat()).size > size) {
      await handle.truncate(size);
      if (sync) await handle.datasync();
    }
  } finally {
    await handle.close();
  }
}

/**
 * Removes a torn last line (bytes after the file's last newline: a write cut off by `kill -9` or a
 * crash, never acknowledged, since a write is answered only once it is whole). Returns the size
 * left. A strict line reader then finds only whole records, and the next append starts a line.
 */
export async function dropTornTail(handle: fs.FileHandle, size: number, sync: boolean): Promise<number> {
  let end = size;
  const chunk = Buffer.alloc(TAIL_CHUNK);
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline >= 0) {
      end = start + newline + 1;
      break;
    }
    end = start;
  }
  if (end < size) {
    await handle.truncate(end);
    if (sync) await handle.datasync();
  }
  return end;
}

/**
 * Drops the torn tails of this instance's part files of the partitions a process that died just
 * before this one started could have been writing: the current hour's and the previous one's (the
 * file sink partitions by receive time). Run once the instance id is claimed (no one else writes
 * those files); a file written again later is checked when it is opened anyway (openAppend).
 */
export async function repairRecentTails(root: string, instance: string, now: number, sync: boolean): Promise<void> {
  const files: string[] = [];
  for (const kind of ['good', 'bad'] as const) {
    for (const hour of [now, now - HOUR_MS]) files.push(partFilePath(root, kind, hour, instance));
  }
  await Promise.all(
    files.map(async (file) => {
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(file, 'r+');
      } catch {
        return; // no such file: nothing to repair
      }
      try {
        await dropTornTail(handle, (await handle.stat()).size, sync);
      } finally {
        await handle.close();
      }
    }),
  );
}
