import type { Envelope } from '@tracklane/core';
import { partitionsBetween, readGoodRecords, storeRoot, type RefusedPath, type SourceTally, type StoredGoodRecord } from './replay-source.js';

export type { RefusedPath, StoredGoodRecord } from './replay-source.js';

export interface ReplayOptions {
  /** Root of a raw store written by the file sink; a path that is not one is an error (REPLAY_SOURCE). */
  from: string;
  /** Only events the collector received at or after this time (the store is partitioned by receive time). @default no lower bound */
  since?: Date;
  /** Only events received before this time. @default no upper bound */
  until?: Date;
  /**
   * Where the events go: a batch of envelopes at a time; `records` holds the same events as the
   * store has them (the line as written, with `receivedAt` and `clientIp`), in the same order. A
   * sender that knows what the target made of the batch returns it (collectorSender does); a
   * rejection ends the replay with that error.
   */
  send(batch: readonly Envelope[], records: readonly StoredGoodRecord[]): Promise<BatchOutcome | void>;
  /** Most events per call of `send`. @default 500 */
  batchSize?: number;
  /** Called after each batch with the summary so far (progress on a terminal). @default none */
  onProgress?: (summary: Readonly<ReplaySummary>) => void;
}

/** What a collector made of one replayed batch: its answer's counts. */
export interface BatchOutcome {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** What a replay did. */
export interface ReplaySummary {
  /** Events sent. */
  replayed: number;
  /** The target's answers, summed over the batches (zero for a sender that returns none). */
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Lines not sent: not JSON (torn or damaged), or JSON but not a good record. */
  skippedLines: { unreadable: number; notRecords: number };
  /** Store entries not read: symlinks out of the store, entries that are not regular files. */
  refused: RefusedPath[];
  /** The receive hour being replayed (ISO, `YYYY-MM-DDTHH`), for progress. */
  hour: string | undefined;
}

/**
 * Re-sends the good events of a raw store, hour partition after hour partition (receive time),
 * each in a deterministic order (creation time, then id), so two replays send the same sequence;
 * the receiver's deduplication makes a second replay add nothing. Lines that are not good records
 * are skipped and counted, never fatal.
 */
export async function replayRawStore(options: ReplayOptions): Promise<ReplaySummary> {
  const since = options.since?.getTime() ?? -Infinity;
  const until = options.until?.getTime() ?? Infinity;
  const batchSize = options.batchSize ?? 500;
  const root = await storeRoot(options.from);
  const tally: SourceTally = { unreadable: 0, notRecords: 0, refused: [] };
  const summary: ReplaySummary = { replayed: 0, accepted: 0, duplicates: 0, rejected: 0, skippedLines: { unreadable: 0, notRecords: 0 }, refused: tally.refused, hour: undefined };
  const counted = (): ReplaySummary => Object.assign(summary, { skippedLines: { unreadable: tally.unreadable, notRecords: tally.notRecords } });
  for (const partition of await partitionsBetween(root, since, until, tally)) {
    summary.hour = new Date(partition.start).toISOString().slice(0, 13);
    const records: StoredGoodRecord[] = [];
    for (const file of partition.files) {
      for await (const record of readGoodRecords(file, since, until, tally)) records.push(record);
    }
    records.sort((a, b) => a.envelope.ts.created.localeCompare(b.envelope.ts.created) || a.envelope.id.localeCompare(b.envelope.id));
    for (let i = 0; i < records.length; i += batchSize) {
      const slice = records.slice(i, i + batchSize);
      const outcome = await options.send(
        slice.map((r) => r.envelope),
        slice,
      );
      summary.replayed += slice.length;
      if (outcome) {
        summary.accepted += outcome.accepted;
        summary.duplicates += outcome.duplicates;
        summary.rejected += outcome.rejected;
      }
      options.onProgress?.(counted());
    }
  }
  return counted();
}
