// The Kafka client's pieces the source uses besides its consumer group: error text, closing, and the
// group's offsets for `status`.
import type { SourceBacklog } from './source.js';

/** What a consumer needs to reach the cluster and name its group. */
export interface KafkaClientOptions {
  clientId: string;
  bootstrapBrokers: string[];
  groupId: string;
  connectTimeout: number;
  retries: number;
  retryDelay: number;
}

/** A partition's key in positions and the manifest. */
export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;
/** ListOffsetTimestamps.EARLIEST: a partition's first offset (the client's module is loaded lazily). */
export const EARLIEST = -2n;

/**
 * An error of the client with what caused it: its messages nest ("metadata failed 4 times" holds
 * "Cannot connect to any broker", which holds "Connection to 127.0.0.1:1 failed").
 */
export function explain(error: unknown): string {
  const parts: string[] = [];
  let at: unknown = error;
  for (let depth = 0; at !== undefined && at !== null && depth < 6; depth++) {
    const nested = at as { message?: unknown; errors?: unknown[]; cause?: unknown };
    const message = (typeof nested.message === 'string' ? nested.message : JSON.stringify(at)).replace(/\.$/, '');
    if (!parts.includes(message)) parts.push(message);
    at = nested.errors?.at(-1) ?? nested.cause;
  }
  return parts.join(': ');
}

/** Leaves the group and closes; never rejects (a close after a failure may fail again). */
export function closeConsumer(consumer: { close(force: boolean, callback: () => void): void }): Promise<void> {
  return new Promise((resolve) => consumer.close(true, () => resolve()));
}

/** Per partition of `topics`, in order: the group's committed offset (the first offset when none) and the end. */
export async function kafkaBacklog(clientOptions: KafkaClientOptions, topics: readonly string[], kindOf: (topic: string) => 'good' | 'bad', unreadable: (error: unknown) => Error): Promise<SourceBacklog[]> {
  const kafka = await import('@platformatic/kafka');
  const consumer = new kafka.Consumer({ ...clientOptions, clientId: `${clientOptions.clientId}-status` });
  try {
    const [ends, starts] = [await consumer.listOffsets({ topics: [...topics] }), await consumer.listOffsets({ topics: [...topics], timestamp: EARLIEST })];
    const committed = await consumer.listCommittedOffsets({ topics: [...ends].map(([name, offsets]) => ({ topic: name, partitions: offsets.map((_, i) => i) })) });
    const backlog: SourceBacklog[] = [];
    // In the order of `topics` (good, then bad), whatever order the cluster answered in.
    for (const name of topics) {
      (ends.get(name) ?? []).forEach((end, partition) => {
        const at = committed.get(name)?.[partition] ?? -1n;
        const loaded = at >= 0n ? at : (starts.get(name)?.[partition] ?? 0n);
        backlog.push({ key: partitionKey(name, partition), kind: kindOf(name), loaded: Number(loaded), total: Number(end) });
      });
    }
    return backlog;
  } catch (error) {
    throw unreadable(error);
  } finally {
    await closeConsumer(consumer);
  }
}
