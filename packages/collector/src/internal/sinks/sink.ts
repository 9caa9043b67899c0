/** One record for a sink: a good event or a bad one, already serialized. */
export interface SinkRecord {
  kind: 'good' | 'bad';
  /** Event id, when the event had one. */
  id: string | undefined;
  /** Epoch ms that chooses the partition: the event's creation time (good) or receive time (bad). */
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
  close(): Promise<void>;
}
