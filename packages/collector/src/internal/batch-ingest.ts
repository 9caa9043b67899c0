import { BatchChecker, type CheckedEvent } from './batch-check.js';
import type { WriteKeyConfig } from './config.js';
import type { DedupWindow } from './dedup-window.js';
import { EventTally } from './event-tally.js';
import type { EventValidator } from './event-validator.js';
import type { CollectorMetrics } from './metrics.js';
import type { Sink, SinkRecord } from './sinks/sink.js';
import type { BatchSource } from './stored-records.js';

export interface BatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: { id: string | null; errors: string[] }[];
}

export interface IngestContext {
  key: WriteKeyConfig;
  clientIp: string | undefined;
  receivedAt: Date;
}

/**
 * Checks a batch (BatchChecker), drops duplicates, writes good and bad records to the sink and
 * resolves once they are durable. Rejects when the sink fails, with every reservation released so
 * the tracker's retry can land them.
 */
export class BatchIngest {
  private readonly checker: BatchChecker;

  constructor(
    validator: EventValidator,
    private readonly dedup: DedupWindow,
    private readonly sink: Sink,
    private readonly metrics: CollectorMetrics,
    maxEventsPerBatch: number,
    /** Settles once the dedup window holds what it must know before the first batch lands (warmDedupWindow). */
    private readonly ready: Promise<void> = Promise.resolve(),
  ) {
    this.checker = new BatchChecker(validator, maxEventsPerBatch);
  }

  /** Checks the batch shape; returns the events. Throws a CollectorError: BATCH_SHAPE, or BATCH_TOO_LARGE for too many (413). */
  events(body: unknown): unknown[] {
    return this.checker.events(body);
  }

  /** Checks and lands a batch; `source` as in BatchChecker.check. */
  ingest(events: readonly unknown[], context: IngestContext, source?: BatchSource): Promise<BatchAnswer> {
    const checked = this.checker.check(events, { appId: context.key.appId, clientIp: context.clientIp, receivedAt: context.receivedAt.getTime() }, source);
    return this.land(checked, context.receivedAt.getTime());
  }

  /** Lands a checked batch (checked here or in a worker thread) received at `receivedAt` (epoch ms). */
  async land(checked: readonly CheckedEvent[], receivedAt: number): Promise<BatchAnswer> {
    await this.ready;
    const answer: BatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
    const records: SinkRecord[] = [];
    const tally = new EventTally();
    this.metrics.batchSize.observe(checked.length);
    const ids: string[] = [];
    for (const event of checked) if (event.ok) ids.push(event.id);
    /** Reserved for this batch and not landed yet: the second event with one of these ids is a duplicate. */
    const unlanded = await this.reserve(ids);
    const landed: string[] = [];
    for (const event of checked) {
      if (event.ok) {
        if (!unlanded.delete(event.id)) {
          answer.duplicates++;
          tally.add('duplicate', event.schema);
          continue;
        }
        landed.push(event.id);
        answer.accepted++;
        tally.add('accepted', event.schema);
        // Partitioned by receive time, like the bad records: see SinkRecord.time.
        records.push({ kind: 'good', id: event.id, time: receivedAt, key: event.key, value: event.value });
      } else {
        answer.rejected.push({ id: event.id ?? null, errors: event.errors });
        tally.add('rejected', event.schema, event.reason);
        records.push({ kind: 'bad', id: event.id, time: receivedAt, key: undefined, value: event.value });
      }
    }
    tally.addTo(this.metrics.events);
    const started = process.hrtime.bigint();
    try {
      await this.sink.write(records);
    } catch (error) {
      this.dedup.release(landed);
      this.metrics.sinkErrors.inc({ sink: this.sink.name });
      throw error;
    }
    this.metrics.sinkWriteDuration.observe({ sink: this.sink.name }, Number(process.hrtime.bigint() - started) / 1e9);
    this.dedup.commit(landed);
    return answer;
  }

  /**
   * Reserves the ids that are new; the others are duplicates. An id being written by another request
   * (a retry racing its first attempt) waits for that write's outcome, but never while holding
   * reservations of its own: that request may be waiting for one of ours (a deadlock otherwise).
   */
  private async reserve(ids: readonly string[]): Promise<Set<string>> {
    for (;;) {
      const mine = new Set<string>();
      let inProgress: Promise<void> | undefined;
      for (const id of ids) {
        if (mine.has(id)) continue;
        const reservation = this.dedup.reserve(id);
        if (reservation === 'new') mine.add(id);
        else if (reservation !== 'duplicate') {
          inProgress = reservation.pending;
          break;
        }
      }
      if (!inProgress) return mine;
      this.dedup.release([...mine]);
      await inProgress;
    }
  }
}
