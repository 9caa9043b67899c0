/** One record for a sink: a good event or a bad one, already serialized. */
export interface SinkRecord {
  kind: 'good' | 'bad';
  /** Event id, when the event had one. */
  id: string | undefined;
  /**
   * Epoch ms that chooses the partition: when the collector received the event. Never the event's
   * own time: a client could push that arbitrarily far (one batch spread over a thousand hours, or
   * year 10000), and a store partitioned by receive time only ever appends to recent partitions,
   * which a loader can read by byte offset. The event's times stay in the envelope (`ts`).
   */
  time: number;
  /** Partition key for ordered sinks (Kafka): the anonymous id, for per-user order. */
  key: string | undefined;
  /** The record as one line of JSON. */
  value: string;
}

/**
 * Where the collector lands events. `write` resolves only once the records are durable in the
 * sense the sink documents; it rejects when the sink cannot take writes (the collector answers 503).
 */
export interface Sink {
  readonly name: string;
  write(records: readonly SinkRecord[]): Promise<void>;
  /** False while the sink is known to be failing (reported by `/readyz`). */
  isReady(): boolean;
  /**
   * Resolves once the sink can take writes; rejects when it never will (the file sink: another
   * process holds its instance id). The collector's `listen` waits for it. Writes before it
   * resolves wait too.
   */
  open?(): Promise<void>;
  /**
   * The ids of the good events the sink holds that were received at or after `since` (epoch ms),
   * about the `maxIds` most recent: what a starting collector's dedup window remembers, so a retry of
   * an event landed before a restart is still a duplicate. Left out by sinks that cannot read their
   * events back cheaply (Kafka): the window then starts empty.
   */
  recentIds?(since: number, maxIds: number): Promise<RecentIds>;
  close(): Promise<void>;
}

/** What `Sink.recentIds` found. */
export interface RecentIds {
  /** Event ids, oldest first. */
  ids: string[];
  /** When each was received (epoch ms), in the same order. */
  receivedAt: number[];
  /** Files read, bytes read, and lines that hold no good record (torn by a crash): for the log. */
  files: number;
  bytes: number;
  skipped: number;
}
