import { kafkaSource } from '../source/kafka-source.js';
import { rawStoreSource } from '../source/raw-store-source.js';
import type { Source } from '../source/source.js';
import type { KafkaFlags } from './kafka-flags.js';
import type { ProgressStream } from './progress.js';

/** The source a command names: the raw store of `--from`, or the Kafka topics of `--kafka-brokers`. */
export function commandSource(command: { from: string | undefined; kafka: KafkaFlags | undefined; follow?: boolean; batchSize?: number }, stderr: ProgressStream): Source {
  if (command.kafka === undefined) return rawStoreSource({ dir: command.from! });
  const { brokers, topic, badTopic, group, sessionTimeoutMs } = command.kafka;
  return kafkaSource({
    brokers,
    topic,
    badTopic,
    group,
    sessionTimeoutMs,
    follow: command.follow === true,
    // Two batches ahead: the next batch is fetched while one is written.
    ...(command.batchSize !== undefined ? { maxBufferedMessages: 2 * command.batchSize } : {}),
    onAssignment: (keys) => stderr.write(`kafka: group ${group} assigned ${keys.length === 0 ? 'no partitions' : keys.join(', ')}\n`),
  });
}

/** `status` of a Kafka source: one line per partition, with its group's offset, its end and the lag. */
export async function writeKafkaStatus(source: Source, stdout: ProgressStream): Promise<void> {
  for (const partition of await source.backlog(new Map())) {
    stdout.write(`${source.name} ${partition.key} (${partition.kind}): offset ${partition.loaded} of ${partition.total}, lag ${partition.total - partition.loaded}\n`);
  }
}
