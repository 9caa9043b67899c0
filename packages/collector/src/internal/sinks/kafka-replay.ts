import { replayRawStore, type ReplayOptions, type ReplaySummary, type StoredGoodRecord } from '../replay.js';
import { storeRoot } from '../replay-source.js';
import { createKafkaSink, type KafkaSinkOptions } from './kafka-sink.js';
import type { SinkRecord } from './sink.js';

export interface KafkaReplayOptions extends Omit<KafkaSinkOptions, 'type'> {
  /** Root of a raw store written by the file sink. */
  from: string;
  /** Only events received at or after this time. */
  since?: Date;
  /** Only events received before this time. */
  until?: Date;
  /** Events per write. @default 500 */
  batchSize?: number;
  /** Called after each batch with the store's summary so far (progress on a terminal). @default none */
  onProgress?: ReplayOptions['onProgress'];
  /**
   * Read the event ids the good topic already holds first and skip those events, so a second
   * replay (or a replay of events the collector already landed) adds nothing. It reads the whole
   * topic and keeps its ids in memory.
   * @default true
   */
  skipExisting?: boolean;
}

export interface KafkaReplayResult extends Pick<ReplaySummary, 'skippedLines' | 'refused'> {
  /** Events written to the good topic. */
  replayed: number;
  /** Events skipped because the topic already held them. */
  skipped: number;
}

/**
 * Replays the good events of a raw store to the Kafka good topic, in the store's deterministic order
 * (receive hour, then creation time, then id), each as the line the file sink stored (the collector's good record),
 * keyed by anonymous id like the collector's own writes. A failed write is retried a few times.
 */
export async function replayToKafka(options: KafkaReplayOptions): Promise<KafkaReplayResult> {
  const { from, since, until, batchSize, skipExisting = true, onProgress, ...sinkOptions } = options;
  await storeRoot(from); // a missing store fails before the broker is contacted
  // The sink first: it creates the topics when they are missing.
  const sink = await createKafkaSink(sinkOptions);
  const result: KafkaReplayResult = { replayed: 0, skipped: 0, skippedLines: { unreadable: 0, notRecords: 0 }, refused: [] };
  try {
    const existing = skipExisting ? await idsInTopic(sinkOptions.brokers, sinkOptions.goodTopic) : new Set<string>();
    const summary = await replayRawStore({
      from,
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(batchSize ? { batchSize } : {}),
      ...(onProgress ? { onProgress } : {}),
      send: async (_batch, stored) => {
        const fresh = stored.filter((record) => !existing.has(record.envelope.id));
        result.skipped += stored.length - fresh.length;
        if (fresh.length === 0) return;
        const records = fresh.map(toSinkRecord);
        for (let attempt = 1; ; attempt++) {
          try {
            await sink.write(records);
            break;
          } catch (error) {
            if (attempt >= 5) throw error;
            await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
          }
        }
        for (const record of fresh) existing.add(record.envelope.id);
        result.replayed += fresh.length;
      },
    });
    result.skippedLines = summary.skippedLines;
    result.refused = summary.refused;
  } finally {
    await sink.close();
  }
  return result;
}

function toSinkRecord(record: StoredGoodRecord): SinkRecord {
  const { envelope } = record;
  return {
    kind: 'good',
    id: envelope.id,
    time: record.receivedAt,
    key: envelope.user?.anonymousId ?? envelope.user?.userId,
    value: record.line,
  };
}

const IDS_QUIET_MS = 10_000;

/** Ids of the events a topic holds (its `tracklane-id` headers, else the envelopes' ids). */
async function idsInTopic(brokers: readonly string[], topic: string): Promise<Set<string>> {
  const kafka = await import('@platformatic/kafka');
  const ids = new Set<string>();
  const consumer = new kafka.Consumer({
    clientId: 'tracklane-replay',
    groupId: `tracklane-replay-${process.pid}-${Date.now()}`,
    bootstrapBrokers: [...brokers],
    deserializers: kafka.stringDeserializers,
    maxWaitTime: 200,
  });
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    /** Partitions still to read, with their end offset when the replay started. */
    const remaining = new Map<number, bigint>();
    for (const [partition, end] of ends.entries()) if (end > 0n) remaining.set(partition, end);
    if (remaining.size === 0) return ids;
    const stream = await consumer.consume({ topics: [topic], mode: kafka.MessagesStreamModes.EARLIEST, autocommit: false });
    // Offsets can have gaps (compaction, transaction markers): stop after a quiet spell as well.
    let quiet = false;
    const timer = setTimeout(() => {
      quiet = true;
      stream.destroy();
    }, IDS_QUIET_MS);
    try {
      for await (const message of stream) {
        timer.refresh();
        const id = message.headers.get('tracklane-id') ?? idOf(message.value);
        if (id) ids.add(id);
        if (message.offset + 1n >= (remaining.get(message.partition) ?? 0n)) remaining.delete(message.partition);
        if (remaining.size === 0) break;
      }
    } catch (error) {
      if (!quiet) throw error;
    } finally {
      clearTimeout(timer);
      await stream.close().catch(() => undefined);
    }
    return ids;
  } finally {
    await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  }
}

function idOf(value: string | undefined): string | undefined {
  try {
    return (JSON.parse(value ?? '') as { envelope?: { id?: string } }).envelope?.id;
  } catch {
    return undefined;
  }
}
