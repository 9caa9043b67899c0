import type { WarehouseModel } from '../model/derive-model.js';
import type { Source, SourceBatch } from '../source/source.js';
import type { LoadBatch, Target } from '../target/target.js';
import { buildRows } from './build-rows.js';
import { systemClock, type Clock } from './clock.js';
import { TableCache } from './table-cache.js';

export interface LoadOptions {
  source: Source;
  target: Target;
  model: WarehouseModel;
  /**
   * Most lines per transaction. Larger batches load faster; a crash loses (and a restart redoes)
   * at most one uncommitted batch.
   * @default 10000
   */
  batchSize?: number;
  /** Keep loading what arrives until `signal` aborts (`load --follow`). @default false: load what is there and return */
  follow?: boolean;
  /**
   * With `follow`: how long to wait, after a read found less than a full batch, before reading
   * again. What lands is in the tables within about this long.
   * @default 1000
   */
  flushIntervalMs?: number;
  /** Stops a `follow` load after its current batch. @default never */
  signal?: AbortSignal;
  /** @default the system clock */
  clock?: Clock;
  /** Called after each committed batch with the totals so far. @default none */
  onBatch?: (summary: Readonly<LoadSummary>) => void;
  /**
   * With `follow`: told when a batch fails (the database refused it, the store could not be read);
   * the loader waits `retryInMs` and tries again from the last commit. Without `follow` the error
   * is thrown. @default none
   */
  onError?: (error: unknown, attempt: number, retryInMs: number) => void;
}

export interface LoadSummary {
  /** Lines read and committed (good and bad). */
  lines: number;
  /** Bytes (or messages) the committed positions advanced by. */
  bytes: number;
  /** Event rows written or confirmed (one per event id of each batch; a duplicate of a loaded event changes nothing). */
  events: number;
  /** Lines that went to quarantine (the collector's bad store included). */
  quarantined: number;
  batches: number;
  /** Part files found rewritten under the loader and read again from their start. */
  rewritten: string[];
}

export const LOAD_DEFAULTS = {
  batchSize: 10_000,
  flushIntervalMs: 1000,
  /** `--follow` retries a failed batch after this long, doubling each time up to `retryMaxMs`. */
  retryFirstMs: 1000,
  retryMaxMs: 30_000,
} as const;

/**
 * Loads a source into a target: reads from the positions the target committed, derives the rows,
 * and commits rows and positions in one transaction per batch. From a source that reads ahead, the
 * next batch is read and built while the target writes the last (the database works on its own
 * threads or server meanwhile); batches still commit one at a time, in order. Re-running it, or restarting it
 * after a crash, reads only what was not committed; what is read twice anyway (a rewritten file)
 * is deduplicated by event id.
 */
export async function loadWarehouse(options: LoadOptions): Promise<LoadSummary> {
  const { source, target, model } = options;
  const batchSize = options.batchSize ?? LOAD_DEFAULTS.batchSize;
  const flushIntervalMs = options.flushIntervalMs ?? LOAD_DEFAULTS.flushIntervalMs;
  const clock = options.clock ?? systemClock;
  const summary: LoadSummary = { lines: 0, bytes: 0, events: 0, quarantined: 0, batches: 0, rewritten: [] };
  const committed = await target.positions(source.name);
  // Where reading has got to: past `committed` by the batch being written, when the source reads ahead.
  let readTo = new Map(committed);
  // The batch the target is writing while the next one is read and built (a source that reads ahead).
  let writing: { done: Promise<unknown>; finish: () => Promise<void> } | undefined;
  const tables = new TableCache(target, () => writing?.done ?? Promise.resolve());
  let failures = 0;
  while (!options.signal?.aborted) {
    let read: SourceBatch;
    try {
      read = await source.read(readTo, batchSize);
      const batch = read.positions.length > 0 ? await buildRows(read.lines, model, tables, new Date(clock.now()).toISOString(), { direct: target.convertsLines === true }) : undefined;
      await finishWriting();
      if (batch) {
        writing = startWriting(read, batch);
        for (const position of read.positions) readTo.set(position.key, position);
      }
      // Caught up, or a source that cannot read past an uncommitted batch: the write commits now.
      if (read.lines.length < batchSize || !source.readsAhead) await finishWriting();
      // Nothing to write is a success too (a failed write is reported by finishWriting, which throws).
      if (!batch) failures = 0;
    } catch (error) {
      // A write still in flight (the error was the next batch's) is counted if it committed; what
      // was read past the last commit is read again.
      await finishWriting().catch(() => undefined);
      readTo = new Map(committed);
      if (!options.follow) throw error;
      const retryInMs = Math.min(LOAD_DEFAULTS.retryMaxMs, LOAD_DEFAULTS.retryFirstMs * 2 ** failures++);
      options.onError?.(error, failures, retryInMs);
      await clock.sleep(retryInMs, options.signal);
      continue;
    }
    if (read.lines.length >= batchSize) continue;
    if (!options.follow) break;
    await clock.sleep(flushIntervalMs, options.signal);
  }
  // Stopped (`signal`) after a full batch: its write finishes; an error there is the next run's to retry.
  await finishWriting().catch((error: unknown) => options.onError?.(error, failures + 1, 0));
  return summary;

  /** Starts writing a batch with the positions after it; `finish` waits for the commit and counts it. */
  function startWriting(read: SourceBatch, batch: LoadBatch) {
    const applied = target.apply(source.name, batch, read.positions).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    return {
      done: applied,
      finish: async () => {
        const failed = await applied;
        if (failed) throw failed.error;
        // The backoff grows with failures in a row, and only a commit ends a run of them.
        failures = 0;
        for (const position of read.positions) {
          const before = read.rewritten.includes(position.key) ? 0 : (committed.get(position.key)?.offset ?? 0);
          summary.bytes += position.offset - before;
          committed.set(position.key, position);
        }
        await source.committed?.(read.positions);
        summary.lines += read.lines.length;
        summary.events += batch.events.length + (batch.direct?.length ?? 0);
        summary.quarantined += batch.quarantine.length;
        summary.batches++;
        summary.rewritten.push(...read.rewritten);
        options.onBatch?.(summary);
      },
    };
  }

  async function finishWriting(): Promise<void> {
    const current = writing;
    writing = undefined;
    await current?.finish();
  }
}
