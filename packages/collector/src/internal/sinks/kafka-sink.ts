import type { Admin, BaseOptions, MessageToProduce, Producer } from '@platformatic/kafka';
import { CollectorError, CollectorErrorCode, isCollectorError } from '../errors.js';
import type { Sink, SinkRecord } from './sink.js';
import { createSinkHealth } from './sink-health.js';
import { createGroupCommit } from './group-commit.js';

export interface KafkaSinkOptions {
  /** Accepted so a sink configuration (`{type: 'kafka', ...}`) can be passed as it is. */
  type?: 'kafka';
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  /** Topic of good events, keyed by anonymous id. */
  goodTopic: string;
  /** Topic of bad events (original payload and reasons). */
  badTopic: string;
  /** Kafka client id of the producer and admin client. @default 'tracklane-collector' */
  clientId?: string;
  /**
   * How long one write may take before it is rejected (the collector then answers 503). A write
   * queued behind a send in progress waits at most this long for its turn, then this long for its
   * own send: it settles within twice this time at worst.
   * @default 5000
   */
  writeTimeoutMs?: number;
  /** How long `createKafkaSink` waits for the cluster and its topics before it gives up, counted from the call (loading the Kafka client included). @default 30000 */
  startTimeoutMs?: number;
  /**
   * Create the topics at start when they are missing (with the admin client). When false, missing
   * topics make the start fail.
   * @default true
   */
  createTopics?: boolean;
  /** Partitions of created topics. @default the broker's `num.partitions` */
  partitions?: number;
  /** Replication factor of created topics. @default the broker's `default.replication.factor` */
  replicationFactor?: number;
  /**
   * `max.message.bytes` of created topics: one send puts everything for a partition in one record
   * batch, and one request to the collector may inflate to 8 MiB.
   * @default 16777216
   */
  maxMessageBytes?: number;
  /** Records of concurrent writes are sent together up to this many bytes (whole writes only). @default 1048576 */
  maxSendBytes?: number;
}

/** The collector's Kafka sink: good and bad records on two topics; see {@link createKafkaSink}. */
export interface KafkaSink extends Sink {
  readonly goodTopic: string;
  readonly badTopic: string;
}

interface Waiter {
  records: readonly SinkRecord[];
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
  /** Rejects the write if it is still queued when its time is up (never sent, so nothing lands). */
  timer: NodeJS.Timeout;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Lands records on Kafka: good events on `goodTopic` keyed by anonymous id (one user's events stay
 * in one partition, in order; the key hashes as the Java client's default partitioner does), bad
 * events on `badTopic`. The producer is idempotent with acks from all in-sync replicas, and sends
 * one request at a time: concurrent writes are grouped into one send, in arrival order.
 *
 * `write` resolves once the broker acknowledged every record of it (acks=all); it rejects when the
 * cluster cannot be reached or does not answer within `writeTimeoutMs`. After a failure the producer
 * is replaced (a send whose outcome is unknown never shares sequence numbers with the next one), the
 * sink reports not ready and probes the cluster every second, and it recovers on its own when the
 * cluster is back. A rejected write may still have landed (the broker wrote it but the answer was
 * lost): a tracker's retry then lands it again, so consumers of the topics deduplicate by event id
 * (the `tracklane-id` header) when they need exactly once across broker failures.
 *
 * Starts by checking the cluster and creating missing topics; rejects when that fails within
 * `startTimeoutMs`, and at once with a `CollectorError` (code `KAFKA_CONFIG`) when topics are
 * missing and `createTopics` is false.
 */
export async function createKafkaSink(options: KafkaSinkOptions): Promise<KafkaSink> {
  const { goodTopic, badTopic } = options;
  const brokers = [...options.brokers];
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[^\]]+\]:\d{1,5}$/.test(b))) {
    throw new Error(`kafka: brokers must be host:port, got ${JSON.stringify(options.brokers)}`);
  }
  for (const topic of [goodTopic, badTopic]) {
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') throw new Error(`kafka: invalid topic name ${JSON.stringify(topic)}`);
  }
  if (goodTopic === badTopic) throw new Error('kafka: the good and bad topics must differ');
  const writeTimeoutMs = positive(options.writeTimeoutMs, 5000, 'writeTimeoutMs');
  const startTimeoutMs = positive(options.startTimeoutMs, 30_000, 'startTimeoutMs');
  const maxSendBytes = positive(options.maxSendBytes, 1_048_576, 'maxSendBytes');
  // From here: loading the Kafka client the first time takes a good part of a second.
  const startDeadline = Date.now() + startTimeoutMs;

  // Loaded here, not at the top: importing the collector does not load the Kafka client.
  const kafka = await import('@platformatic/kafka');
  const clientOptions: BaseOptions & { bootstrapBrokers: string[] } = {
    clientId: options.clientId ?? 'tracklane-collector',
    bootstrapBrokers: brokers,
    connectTimeout: Math.min(3000, writeTimeoutMs),
    requestTimeout: writeTimeoutMs,
    /** The produce request's own timeout: how long the leader waits for the in-sync replicas. */
    timeout: writeTimeoutMs,
    retries: 3,
    retryDelay: 250,
    metadataMaxAge: 30_000,
  };

  await prepareTopics(kafka.Admin, clientOptions, options, startDeadline, startTimeoutMs);

  let roundRobin = 0;
  const partitioner = (_message: unknown, key: Buffer | undefined): number =>
    // Keyed: murmur2 like Java's default partitioner (the client takes it modulo the partition count).
    key ? kafka.compatibilityPartitioner(_message as never, key) : roundRobin++ & 0x7fffffff;
  const newProducer = (): Producer<string, string, string, string> =>
    new kafka.Producer({
      ...clientOptions,
      idempotent: true,
      acks: kafka.ProduceAcks.ALL,
      serializers: kafka.stringSerializers,
      partitioner,
    });

  let producer: Producer<string, string, string, string> | undefined = newProducer();
  const current = (): Producer<string, string, string, string> => (producer ??= newProducer());
  /** Drops a producer whose last send failed: its sequence numbers and connections are suspect. */
  const discard = (failed: Producer<string, string, string, string>): void => {
    if (producer === failed) producer = undefined;
    failed.close().catch(() => undefined);
  };

  let closed = false;

  const messagesOf = (records: readonly SinkRecord[]): MessageToProduce<string, string, string, string>[] =>
    records.map((record) => ({
      topic: record.kind === 'good' ? goodTopic : badTopic,
      ...(record.key !== undefined ? { key: record.key } : {}),
      value: record.value,
      ...(record.id !== undefined ? { headers: { 'tracklane-id': record.id } } : {}),
    }));

  /** Whether every partition of both topics has a leader (sink-health probes it while failing). */
  const leadersKnown = async (): Promise<boolean> => {
    // Closing: no new producer for a probe.
    if (closed) return false;
    const metadata = await withTimeout(current().metadata({ topics: [goodTopic, badTopic], forceUpdate: true }), writeTimeoutMs, 'metadata');
    return [goodTopic, badTopic].every((t) => metadata.topics.get(t)?.partitions.every((p) => p.leader >= 0));
  };
  const health = createSinkHealth(leadersKnown);

  const send = async (batch: Waiter[]): Promise<void> => {
    for (const waiter of batch) clearTimeout(waiter.timer);
    const p = current();
    try {
      await withTimeout(p.send({ messages: batch.flatMap((w) => messagesOf(w.records)) }), writeTimeoutMs, 'produce');
      health.succeeded();
      for (const waiter of batch) waiter.resolve();
    } catch (error) {
      health.failed();
      discard(p);
      const failure = new Error(`kafka: ${describe(error)}`);
      for (const waiter of batch) waiter.reject(failure);
      health.probeUntilHealthy();
    }
  };

  /** The waiters of the next send: in arrival order, as many as fit in maxSendBytes (at least one). */
  const fitting = (queue: readonly Waiter[]): number => {
    let bytes = queue[0]!.bytes;
    let count = 1;
    while (count < queue.length && bytes + queue[count]!.bytes <= maxSendBytes) bytes += queue[count++]!.bytes;
    return count;
  };
  // One send at a time: writes that arrive meanwhile go out together in the next request.
  const commits = createGroupCommit(send, fitting);

  return {
    name: 'kafka',
    goodTopic,
    badTopic,
    write: (records) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(new Error('kafka: the sink is closed'));
        if (records.length === 0) return resolve();
        let bytes = 0;
        for (const record of records) bytes += record.value.length + (record.key?.length ?? 0) + 64;
        const waiter: Waiter = {
          records,
          bytes,
          resolve,
          reject,
          timer: setTimeout(() => {
            if (commits.withdraw(waiter)) reject(new Error(`kafka: no turn to send within ${writeTimeoutMs} ms (the cluster is slow or unreachable)`));
          }, writeTimeoutMs),
        };
        commits.add(waiter);
      }),
    isReady: () => health.isHealthy() && !closed,
    close: async () => {
      if (closed) return;
      closed = true;
      // Every queued write settles within its time limit; wait for them, then flush and disconnect.
      await commits.settled();
      // A probe running now ends within writeTimeoutMs; closing its producer ends it sooner.
      void health.stop();
      const last = producer;
      producer = undefined;
      await last?.close().catch(() => undefined);
    },
  };
}

/** Checks the cluster answers, creates missing topics, waits until every partition has a leader. */
async function prepareTopics(
  AdminClass: typeof Admin,
  clientOptions: BaseOptions & { bootstrapBrokers: string[] },
  options: KafkaSinkOptions,
  deadline: number,
  startTimeoutMs: number,
): Promise<void> {
  const topics = [options.goodTopic, options.badTopic];
  const admin = new AdminClass({ ...clientOptions, clientId: `${clientOptions.clientId}-admin` });
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      try {
        const existing = new Set(await withTimeout(admin.listTopics(), deadline - Date.now(), 'list topics'));
        const missing = topics.filter((topic) => !existing.has(topic));
        if (missing.length > 0 && options.createTopics === false) {
          throw new CollectorError(CollectorErrorCode.KAFKA_CONFIG, `kafka: topic(s) ${missing.join(', ')} do not exist (and createTopics is false)`);
        }
        if (missing.length > 0) {
          await withTimeout(
            admin.createTopics({
              topics: missing,
              partitions: options.partitions ?? -1,
              replicas: options.replicationFactor ?? -1,
              configs: [{ name: 'max.message.bytes', value: String(options.maxMessageBytes ?? 16_777_216) }],
            }),
            deadline - Date.now(),
            'create topics',
          ).catch((error: unknown) => {
            // Another collector created it first.
            if (!(error as { findBy?: (k: string, v: unknown) => unknown }).findBy?.('apiId', 'TOPIC_ALREADY_EXISTS')) throw error;
          });
        }
        const metadata = await withTimeout(admin.metadata({ topics, forceUpdate: true }), deadline - Date.now(), 'metadata');
        if (topics.every((t) => { const partitions = metadata.topics.get(t)?.partitions; return partitions !== undefined && partitions.length > 0 && partitions.every((p) => p.leader >= 0); })) {
          return;
        }
        lastError = new Error('partitions without a leader yet');
      } catch (error) {
        if (isCollectorError(error)) throw error;
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(250, deadline - Date.now()))));
    }
    throw new Error(`kafka: the cluster at ${clientOptions.bootstrapBrokers.join(',')} is not ready after ${startTimeoutMs} ms: ${describe(lastError)}`);
  } finally {
    await admin.close().catch(() => undefined);
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`kafka: ${name} must be a positive number, got ${value}`);
  return value;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms)} ms`)), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One line about a client error: its message and the deepest cause (e.g. ECONNREFUSED). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let leaf: Error = error;
  for (let depth = 0; depth < 8; depth++) {
    const next: unknown = (leaf as AggregateError).errors?.at(-1) ?? leaf.cause;
    if (!(next instanceof Error)) break;
    leaf = next;
  }
  return leaf === error ? error.message : `${error.message} (${leaf.message})`;
}
