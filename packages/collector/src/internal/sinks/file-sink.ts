import { mkdirSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { CollectorError, CollectorErrorCode } from '../errors.js';
import { readRecentIds } from './file-store-ids.js';
import { fsyncDir, fsyncDirSync } from './fsync-dir.js';
import { defaultInstanceId, instanceIdProblem } from './instance-id.js';
import { claimInstance, tryClaimInstance } from './instance-lock.js';
import { dropTornTail, repairRecentTails, truncateTo } from './part-file-repair.js';
import type { Sink, SinkRecord } from './sink.js';
import { createSinkHealth } from './sink-health.js';
import { createGroupCommit } from './group-commit.js';
import { HOUR_MS, partFilePath } from './store-layout.js';

export interface FileSinkOptions {
  /** Root of the raw store; good and bad events land under `good/` and `bad/`. */
  dir: string;
  /**
   * `fsync`: a write resolves after the data reached the disk (survives power loss), and with it the
   * names of the partition directories and part files it created.
   * `write`: after it reached the OS (survives a crash of the collector, not of the machine).
   * The same words as `@tracklane/node`'s spool (`durability`, which defaults to `write`).
   * @default 'fsync'
   */
  durability?: 'fsync' | 'write';
  /**
   * Names this collector's part files (`part-<instanceId>.jsonl`) and its lock file
   * (`instance-<instanceId>.lock`): collectors sharing a store need different ids, and a second
   * process claiming an id in use is refused (`open()` rejects with INSTANCE_LOCKED). 1-100 letters,
   * digits, `.`, `_`, `-`.
   * @default `<hostname>-<pid>`
   */
  instanceId?: string;
}

/** Partitions whose path is remembered per kind; events from far apart in time only cost a path each. */
const MAX_REMEMBERED_PARTITIONS = 1024;

/**
 * Part files open at once, during a commit and between commits; the least recently written are
 * closed first. Partitions follow the receive time, so a commit normally writes one or two files
 * per kind; the cap holds however the records of a commit are spread (a replay of old events, a
 * clock jump), and a long-running collector does not keep one descriptor per hour and kind.
 */
const MAX_OPEN_FILES = 32;

/** Partition times outside 0000-9999 (no four-digit year to name them) fall back to the current time. */
const LAST_PARTITION_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

interface Waiter {
  records: readonly SinkRecord[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The embedded raw store: append-only JSONL files partitioned by date and hour (UTC) of each
 * record's `time` (the receive time, SinkRecord.time), `<dir>/<good|bad>/date=YYYY-MM-DD/hour=HH/
 * part-<instance>.jsonl`. Writes from concurrent requests are grouped (group-commit): one append
 * per file and one fsync per file for everything queued when a commit starts. A new partition also costs one fsync of each
 * directory above its part file, once.
 *
 * Part files are this process's alone: it claims its instance id with a lock file at start
 * (claimInstance); writes wait for the claim, and a refused or lost claim fails them.
 *
 * After a failed write the sink reports not ready, and every second (sink-health), with no traffic
 * needed, it opens the failed part files again and writes and syncs a small probe file in `dir`:
 * once that works it is ready again.
 */
export function createFileSink(options: FileSinkOptions): Sink {
  const durability = options.durability ?? 'fsync';
  const instance = options.instanceId ?? defaultInstanceId();
  const problem = instanceIdProblem(instance);
  if (problem) throw new CollectorError(CollectorErrorCode.FILE_SINK_CONFIG, problem);
  const root = path.resolve(options.dir);
  const created = mkdirSync(root, { recursive: true });
  if (created !== undefined && durability === 'fsync') {
    for (const dir of upTo(path.dirname(root), path.dirname(path.resolve(created)))) fsyncDirSync(dir);
  }
  const onLost = (): void => {
    claim = { state: 'lost', error: new CollectorError(CollectorErrorCode.INSTANCE_LOCKED, `another process took the lock of instance id "${instance}" in ${root}: this sink takes no more writes`) };
  };
  // Claimed at once when no lock file is there; one that is must be judged, which takes time.
  let lock = tryClaimInstance(root, instance, undefined, onLost);
  let claim: ClaimState = { state: lock ? 'held' : 'claiming' };
  const claimed: Promise<void> = lock
    ? Promise.resolve()
    : claimInstance(root, instance, undefined, onLost).then(
        (held) => {
          lock = held;
          if (claim.state === 'claiming') claim = { state: 'held' };
        },
        (error: unknown) => void (claim = { state: 'refused', error: error as Error }),
      );
  const handles = new Map<string, Promise<fs.FileHandle>>();
  /** Part files a failed commit appended to, and the size to cut each back to (rollBack): retried until it works. */
  const unwritten = new Map<string, number>();
  let repairedTails: Promise<void> | undefined;
  /** Part files of the last failed commit that could not be written: what a probe opens again. */
  let failedFiles: string[] = [];

  /** Part files by kind and hour since the epoch, so a record costs no date formatting or path join. */
  const partitions = { good: new Map<number, string>(), bad: new Map<number, string>() };
  const fileFor = (record: SinkRecord): string => {
    const hour = Math.floor((record.time >= 0 && record.time <= LAST_PARTITION_MS ? record.time : Date.now()) / HOUR_MS);
    const files = partitions[record.kind];
    let file = files.get(hour);
    if (file === undefined) {
      if (files.size >= MAX_REMEMBERED_PARTITIONS) files.clear();
      file = partFilePath(root, record.kind, hour * HOUR_MS, instance);
      files.set(hour, file);
    }
    return file;
  };

  // An empty part file is new, or was never written into: the names of it and of the partition
  // directories above it may not be on disk yet. Synced once, before the first write into it resolves.
  const syncNames = durability === 'fsync' ? (file: string) => Promise.all(upTo(path.dirname(file), root).map(fsyncDir)).then(() => undefined) : undefined;

  /** The part file's handle; the map's order is that of last use, oldest first. */
  const open = (file: string): Promise<fs.FileHandle> => {
    let handle = handles.get(file);
    if (handle) {
      handles.delete(file);
    } else {
      handle = fs.mkdir(path.dirname(file), { recursive: true }).then(() => openAppend(file, syncNames, durability === 'fsync'));
      handle.catch(() => {
        if (handles.get(file) === handle) handles.delete(file);
      });
    }
    handles.set(file, handle);
    return handle;
  };

  /**
   * Closes and forgets a part file: one not written lately, or one whose write failed (part of the
   * lines may be in it: the next open ends that line).
   */
  const discard = (file: string): void => {
    const handle = handles.get(file);
    handles.delete(file);
    void handle?.then((h) => h.close()).catch(() => undefined);
  };

  /** Closes the least recently used part files, other than `keep`, until `room` more fit under the cap. */
  const makeRoom = (room: number, keep: ReadonlySet<string>): void => {
    for (const file of [...handles.keys()]) {
      if (handles.size + room <= MAX_OPEN_FILES) return;
      if (!keep.has(file)) discard(file);
    }
  };

  /** Runs `task` for each file, at most MAX_OPEN_FILES files open at a time; settles like allSettled. */
  const eachFile = async <T>(files: readonly string[], task: (file: string, index: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> => {
    const results: PromiseSettledResult<T>[] = [];
    for (let from = 0; from < files.length; from += MAX_OPEN_FILES) {
      const wave = files.slice(from, from + MAX_OPEN_FILES);
      const keep = new Set(wave);
      makeRoom(wave.filter((file) => !handles.has(file)).length, keep);
      results.push(...(await Promise.allSettled(wave.map((file, i) => task(file, from + i)))));
    }
    return results;
  };

  /** Cuts a file a failed commit appended to back to its size before; throws while that fails. */
  const rollBack = async (file: string): Promise<void> => {
    const size = unwritten.get(file);
    if (size === undefined) return;
    await truncateTo(file, size, durability === 'fsync');
    unwritten.delete(file);
  };

  /** `before`: each file's size before this commit appended to it, what a failed commit cuts it back to. */
  const writeFile = async (file: string, lines: string[], before: Map<string, number>): Promise<void> => {
    await rollBack(file);
    const handle = await open(file);
    try {
      before.set(file, (await handle.stat()).size);
      await handle.appendFile(`${lines.join('\n')}\n`);
      if (durability === 'fsync') await handle.datasync();
    } catch (error) {
      discard(file);
      throw error;
    }
  };

  const commit = async (waiters: Waiter[]): Promise<void> => {
    await claimed;
    if (claim.state !== 'held') {
      const error = 'error' in claim ? claim.error : new CollectorError(CollectorErrorCode.INSTANCE_LOCKED, 'the file sink is closed');
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    // Once, before the first write: tails a process killed under this instance id left (kill -9).
    await (repairedTails ??= repairRecentTails(root, instance, Date.now(), durability === 'fsync').catch(() => undefined));
    const byFile = new Map<string, string[]>();
    for (const waiter of waiters) {
      for (const record of waiter.records) {
        const file = fileFor(record);
        let lines = byFile.get(file);
        if (!lines) byFile.set(file, (lines = []));
        lines.push(record.value);
      }
    }
    // Settled, not raced: the next commit must not append to a file this one is still writing.
    const files = [...byFile.keys()];
    const before = new Map<string, number>();
    const results = await eachFile(files, (file) => writeFile(file, byFile.get(file)!, before));
    const failed = results.findIndex((result) => result.status === 'rejected');
    if (failed === -1) {
      health.succeeded();
      for (const waiter of waiters) waiter.resolve();
      return;
    }
    health.failed();
    // Every waiter hears that the commit failed and will retry: nothing it appended may stay, in the
    // files that failed (a torn line) or in those that did not (lines the retry would land twice).
    for (const [file, size] of before) unwritten.set(file, size);
    await Promise.all([...before.keys()].map((file) => rollBack(file).catch(() => undefined)));
    failedFiles = files.filter((file, i) => results[i]!.status === 'rejected' || unwritten.has(file));
    const error = (results[failed] as PromiseRejectedResult).reason as Error;
    for (const waiter of waiters) waiter.reject(error);
    health.probeUntilHealthy();
  };

  /** What the writes that failed need, and a small file written and synced in the root. */
  const writable = async (): Promise<void> => {
    await Promise.all(failedFiles.map(rollBack));
    const opened = await eachFile(failedFiles, open);
    const failedOpen = opened.find((result) => result.status === 'rejected');
    if (failedOpen) throw failedOpen.reason;
    const file = path.join(root, `.probe-${instance}`);
    const handle = await fs.open(file, 'w');
    try {
      await handle.writeFile('probe\n');
      if (durability === 'fsync') await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.rm(file);
  };

  const health = createSinkHealth(writable);
  // One commit at a time, so appends to a file never interleave.
  const commits = createGroupCommit(commit);

  return {
    name: 'file',
    write: (records) =>
      new Promise<void>((resolve, reject) => {
        if (records.length === 0) return resolve();
        commits.add({ records, resolve, reject });
      }),
    isReady: () => health.isHealthy() && claim.state === 'held',
    open: async () => {
      await claimed;
      if (claim.state === 'refused') throw claim.error;
    },
    recentIds: (since, maxIds) => readRecentIds(root, since, maxIds),
    close: async () => {
      await health.stop();
      await commits.settled();
      const open = [...handles.values()];
      handles.clear();
      await Promise.all(open.map(async (h) => (await h).close().catch(() => undefined)));
      await claimed;
      claim = { state: 'released' };
      await lock?.release();
    },
  };
}

/** Where the sink's claim of its instance id stands. */
type ClaimState = { state: 'claiming' } | { state: 'held' } | { state: 'refused' | 'lost'; error: Error } | { state: 'released' };

/** `dir` and the directories above it, up to `top` (inclusive). */
function upTo(dir: string, top: string): string[] {
  const dirs = [dir];
  while (dir !== top && path.dirname(dir) !== dir) dirs.push((dir = path.dirname(dir)));
  return dirs;
}

/**
 * Opens a part file for appending. A file that does not end in a newline holds a line torn by a
 * crash (never acknowledged; a failed write is cut back by the commit itself): the torn bytes are
 * cut off, or the next record would be glued to them and lost to every reader, and a strict line
 * reader would trip over them. Matters when a restart reuses the instance id (PID 1 in a
 * container). Stores written before this kept the torn line and ended it with an empty line, which
 * readers still skip (readRecentIds). An empty file is handed to `onEmpty` before it is used.
 */
async function openAppend(file: string, onEmpty: ((file: string) => Promise<void>) | undefined, sync: boolean): Promise<fs.FileHandle> {
  const handle = await fs.open(file, 'a+');
  try {
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await dropTornTail(handle, size, sync);
    } else {
      await onEmpty?.(file);
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
