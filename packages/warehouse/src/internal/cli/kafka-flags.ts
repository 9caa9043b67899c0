import { KAFKA_SOURCE_DEFAULTS } from '../source/kafka-source.js';

/** The Kafka source as the command line gives it (`--kafka-*`), defaults filled in. */
export interface KafkaFlags {
  brokers: string[];
  topic: string;
  badTopic: string;
  group: string;
  sessionTimeoutMs: number;
}

/** The `--kafka-*` options for parseArgs. */
export const KAFKA_FLAG_OPTIONS = {
  'kafka-brokers': { type: 'string' },
  'kafka-topic': { type: 'string' },
  'kafka-bad-topic': { type: 'string' },
  'kafka-group': { type: 'string' },
  'kafka-session-timeout-ms': { type: 'string' },
} as const;

export const KAFKA_USAGE = `  Kafka instead of --from: --kafka-brokers <host:port,...> [--kafka-topic ${KAFKA_SOURCE_DEFAULTS.topic}] [--kafka-bad-topic ${KAFKA_SOURCE_DEFAULTS.badTopic}]
                           [--kafka-group ${KAFKA_SOURCE_DEFAULTS.group}] [--kafka-session-timeout-ms ${KAFKA_SOURCE_DEFAULTS.sessionTimeoutMs}]
      Loaders in one group share the topic's partitions; status gives each partition's lag.`;

/**
 * The Kafka flags of a command line, or undefined without `--kafka-brokers`; `fail` makes the
 * error (INVALID_CONFIG with the usage). Another `--kafka-*` flag without brokers is refused.
 */
export function kafkaFlags(values: Record<string, string | boolean | undefined>, fail: (message: string) => Error): KafkaFlags | undefined {
  const text = (name: keyof typeof KAFKA_FLAG_OPTIONS): string | undefined => values[name] as string | undefined;
  const brokers = text('kafka-brokers');
  if (brokers === undefined) {
    const stray = Object.keys(KAFKA_FLAG_OPTIONS).find((name) => values[name] !== undefined);
    if (stray !== undefined) throw fail(`--${stray} needs --kafka-brokers`);
    return undefined;
  }
  const list = brokers.split(',').map((b) => b.trim());
  const bad = list.find((b) => !/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[^\]]+\]:\d{1,5}$/.test(b));
  if (bad !== undefined) throw fail(`--kafka-brokers takes host:port[,host:port...], not ${JSON.stringify(bad)}`);
  const topic = text('kafka-topic') ?? KAFKA_SOURCE_DEFAULTS.topic;
  const badTopic = text('kafka-bad-topic') ?? KAFKA_SOURCE_DEFAULTS.badTopic;
  if (topic === badTopic) throw fail(`--kafka-topic and --kafka-bad-topic must differ (both ${JSON.stringify(topic)})`);
  const session = text('kafka-session-timeout-ms');
  if (session !== undefined && (!/^[1-9]\d*$/.test(session) || !Number.isSafeInteger(Number(session)))) throw fail(`--kafka-session-timeout-ms must be a positive integer, not ${JSON.stringify(session)}`);
  return {
    brokers: list,
    topic,
    badTopic,
    group: text('kafka-group') ?? KAFKA_SOURCE_DEFAULTS.group,
    sessionTimeoutMs: session === undefined ? KAFKA_SOURCE_DEFAULTS.sessionTimeoutMs : Number(session),
  };
}
