import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface PartFile {
  /** Path from the store's root, `/`-separated: `good/date=2026-12-07/hour=14/part-a.jsonl`. */
  key: string;
  kind: 'good' | 'bad';
  file: string;
  size: number;
}

/**
 * Every part file (`*.jsonl`) under `good/` and `bad/`, at any depth, in key order. Walked, not
 * derived from a partition layout, so a store partitioned by receive time, by event time or not at
 * all reads the same. Symlinks are followed only when they stay inside the store; entries that are
 * not regular files (a FIFO would block the read) are left alone.
 */
export async function listPartFiles(root: string): Promise<PartFile[]> {
  const files: PartFile[] = [];
  for (const kind of ['good', 'bad'] as const) {
    await walk(root, path.join(root, kind), kind, files);
  }
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

async function walk(root: string, dir: string, kind: 'good' | 'bad', files: PartFile[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    // A partition removed while walking (retention) or a store without bad/ yet.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const real = await fs.realpath(full).catch(() => undefined);
      if (real === undefined || !real.startsWith(root + path.sep)) continue;
      const stat = await fs.stat(real);
      isDirectory = stat.isDirectory();
      isFile = stat.isFile();
    }
    if (isDirectory) await walk(root, full, kind, files);
    else if (isFile && entry.name.endsWith('.jsonl')) {
      const stat = await fs.stat(full).catch(() => undefined);
      if (stat) files.push({ key: path.relative(root, full).split(path.sep).join('/'), kind, file: full, size: stat.size });
    }
  }
}
