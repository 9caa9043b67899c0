import { mkdirSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Sink, SinkRecord } from './sink.js';

export interface FileSinkOptions {
  /** Root of the raw store; good and bad events land under `good/` and `bad/`. */
  dir: string;
  /**
   * `fsync`: a write resolves after the data reached the disk (survives power loss).
   * `write`: after it reached the OS (survives a crash of the collector, not of the machine).
   * @default 'fsync'
   */
  durability?: 'fsync' | 'write';
  /** Distinguishes files of collectors sharing a store. @default `<pid>` */
  instanceId?: string;
}

const HOUR_MS = 3_600_000;

/** Partitions whose path is remembered per kind; events from far apart in time only cost a path each. */
const MAX_REMEMBERED_PARTITIONS = 1024;

interface Waiter {
  records: readonly SinkRecord[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The embedded raw store: append-only JSONL files partitioned by event date and hour,
 * `<dir>/<good|bad>/date=YYYY-MM-DD/hour=HH/part-<instance>.jsonl`. Writes from concurrent requests
 * are grouped: one append per file and one fsync per file for everything queued in a tick.
 */
export function createFileSink(options: FileSinkOptions): Sink {
  const durability = options.durability ?? 'fsync';
  const instance = options.instanceId ?? String(process.pid);
  mkdirSync(options.dir, { recursive: true });
  const handles = new Map<string, Promise<fs.FileHandle>>();
  let queue: Waiter[] = [];
  let scheduled = false;
  let healthy = true;
  /** Commits run one after another, so appends to a file never interleave. */
  let committing: Promise<void> = Promise.resolve();

  /** Part files by kind and hour since the epoch, so a record costs no date formatting or path join. */
  const partitions = { good: new Map<number, string>(), bad: new Map<number, string>() };
  const fileFor = (record: SinkRecord): string => {
    const hour = Math.floor((Number.isFinite(record.time) ? record.time : Date.now()) / HOUR_MS);
    const files = partitions[record.kind];
    let file = files.get(hour);
    if (file === undefined) {
      if (files.size >= MAX_REMEMBERED_PARTITIONS) files.clear();
      const iso = new Date(hour * HOUR_MS).toISOString();
      file = path.join(options.dir, record.kind, `date=${iso.slice(0, 10)}`, `hour=${iso.slice(11, 13)}`, `part-${instance}.jsonl`);
      files.set(hour, file);
    }
    return file;
  };

  const open = (file: string): Promise<fs.FileHandle> => {
    let handle = handles.get(file);
    if (!handle) {
      handle = fs.mkdir(path.dirname(file), { recursive: true }).then(() => openAppend(file));
      handle.catch(() => handles.delete(file));
      handles.set(file, handle);
    }
    return handle;
  };

  const commit = async (): Promise<void> => {
    scheduled = false;
    const waiters = queue;
    queue = [];
    const byFile = new Map<string, string[]>();
    for (const waiter of waiters) {
      for (const record of waiter.records) {
        const file = fileFor(record);
        let lines = byFile.get(file);
        if (!lines) byFile.set(file, (lines = []));
        lines.push(record.value);
      }
    }
    try {
      await Promise.all(
        [...byFile].map(async ([file, lines]) => {
          const handle = await open(file);
          await handle.appendFile(`${lines.join('\n')}\n`);
          if (durability === 'fsync') await handle.datasync();
        }),
      );
      healthy = true;
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      healthy = false;
      for (const waiter of waiters) waiter.reject(error as Error);
    }
  };

  return {
    name: 'file',
    write: (records) =>
      new Promise<void>((resolve, reject) => {
        if (records.length === 0) return resolve();
        queue.push({ records, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => {
            committing = committing.then(commit);
          });
        }
      }),
    isReady: () => healthy,
    close: async () => {
      await committing;
      if (queue.length > 0) await commit();
      const open = [...handles.values()];
      handles.clear();
      await Promise.all(open.map(async (h) => (await h).close().catch(() => undefined)));
    },
  };
}

/**
 * Opens a part file for appending. A file that does not end in a newline holds a line torn by a
 * crash (never acknowledged): start on a fresh line, or the next record would be glued to it and
 * lost to every reader. Matters when a restart reuses the instance id (PID 1 in a container).
 */
async function openAppend(file: string): Promise<fs.FileHandle> {
  const handle = await fs.open(file, 'a+');
  try {
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await handle.appendFile('\n');
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
