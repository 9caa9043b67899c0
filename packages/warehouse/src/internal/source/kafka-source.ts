import type { Consumer, MessagesStream } from '@platformatic/kafka';
import { WarehouseError, WarehouseErrorCode } from '../errors.js';
import { closeConsumer, EARLIEST, explain, kafkaBacklog, partitionKey as key } from './kafka-client.js';
import type { Source, SourceBatch, SourcePosition, StoredLine } from './source.js';

export interface KafkaSourceOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  /** The collector's good topic. @default 'tracklane-good' */
  topic?: string;
  /** The collector's bad topic, loaded into `quarantine`; null: none. @default 'tracklane-bad' */
  badTopic?: string | null;
  /** The consumer group: loaders in one group share the partitions. @default 'tracklane-warehouse' */
  group?: string;
  /**
   * Keep reading what arrives (`load --follow`). Without it, a read waits until it has a full batch
   * or every partition this loader is assigned is read up to the end offset it had when the source
   * started: a one-shot load ends there.
   * @default false
   */
  follow?: boolean;
  /** @default 'tracklane-warehouse' */
  clientId?: string;
  /** Messages fetched ahead of the loader (the consumer's high-water mark). @default 20000 */
  maxBufferedMessages?: number;
  /**
   * How long the group waits for a loader that stopped heartbeating before it hands its partitions
   * to the others: a loader killed with SIGKILL holds its partitions this long.
   * @default 30000
   */
  sessionTimeoutMs?: number;
  /** With `follow`: how long a read waits for a first message before it returns an empty batch. @default 200 */
  readWaitMs?: number;
  /** Told the partitions (`topic/partition`) this loader owns after each rebalance. @default none */
  onAssignment?: (keys: readonly string[]) => void;
}

export const KAFKA_SOURCE_DEFAULTS = {
  topic: 'tracklane-good',
  badTopic: 'tracklane-bad',
  group: 'tracklane-warehouse',
  clientId: 'tracklane-warehouse',
  maxBufferedMessages: 20_000,
  sessionTimeoutMs: 30_000,
  readWaitMs: 200,
} as const;

/** A partition this loader owns, and where its next message is. */
interface OwnedPartition {
  kind: 'good' | 'bad';
  /** The generation since which this loader holds it without a break: a batch read before that is not committed. */
  since: number;
  /** The offset of the next message to hand out; what is before it was handed out (or committed by the group). */
  next: bigint;
}

/** The consumer and its stream; rebuilt after the stream failed. */
interface Session {
  consumer: Consumer<string, string, string, string>;
  stream: MessagesStream<string, string, string, string>;
  generation: number;
  owned: Map<string, OwnedPartition>;
  /** Settles when the last rebalance's offsets are known: no message is handed out before. */
  settling: Promise<void>;
  failure: Error | undefined;
  /** Wakes a read waiting for messages (new data, a rebalance, a failure). */
  wake: () => void;
}

/**
 * The collector's Kafka topics as a source, read by a consumer group. Offsets are committed to the
 * group only after the warehouse transaction holding the batch committed (`committed`), so a crash
 * in between redelivers the batch, which the event id keys make harmless: at-least-once delivery
 * into an idempotent target gives every event exactly one row.
 *
 * Several loaders in one group share the partitions. After a rebalance a loader hands out nothing
 * of a partition it lost (what it had fetched ahead is dropped) and does not commit a batch read
 * before it lost it: the new owner reads from the group's last commit. The positions the loader
 * keeps in its manifest (`topic/partition` -> next offset) are informational: the group's offsets
 * say where reading resumes.
 */
export function kafkaSource(options: KafkaSourceOptions): Source {
  const topic = options.topic ?? KAFKA_SOURCE_DEFAULTS.topic;
  const badTopic = options.badTopic === undefined ? KAFKA_SOURCE_DEFAULTS.badTopic : options.badTopic;
  const group = options.group ?? KAFKA_SOURCE_DEFAULTS.group;
  const topics = badTopic === null ? [topic] : [topic, badTopic];
  const kindOf = (name: string): 'good' | 'bad' => (name === topic ? 'good' : 'bad');
  const readWaitMs = options.readWaitMs ?? KAFKA_SOURCE_DEFAULTS.readWaitMs;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? KAFKA_SOURCE_DEFAULTS.sessionTimeoutMs;
  const clientOptions = {
    clientId: options.clientId ?? KAFKA_SOURCE_DEFAULTS.clientId,
    bootstrapBrokers: [...options.brokers],
    groupId: group,
    connectTimeout: 5000,
    retries: 3,
    retryDelay: 500,
  };
  let session: Session | undefined;
  /** One-shot: each partition's end offset when the source first connected. */
  let endsAtStart: Map<string, bigint> | undefined;
  /**
   * The batch last handed out, until the loader says its transaction committed (`committed`), with
   * the ownership each key was read under (`OwnedPartition.since`). A read before that is the
   * loader retrying a failed transaction: it gets the same lines again, not the ones after them.
   */
  let unconfirmed: { batch: SourceBatch; under: Map<string, number> } | undefined;

  const unreadable = (what: string, error: unknown): WarehouseError =>
    new WarehouseError(WarehouseErrorCode.SOURCE_UNREADABLE, `kafka ${options.brokers.join(',')}: ${what}: ${explain(error)}`, { cause: error });

  async function connect(): Promise<Session> {
    if (session) return session;
    const kafka = await import('@platformatic/kafka');
    const consumer = new kafka.Consumer({
      ...clientOptions,
      deserializers: kafka.stringDeserializers,
      sessionTimeout: sessionTimeoutMs,
      rebalanceTimeout: 2 * sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
      maxWaitTime: 500,
    });
    try {
      if (!options.follow && !endsAtStart) endsAtStart = await endOffsets(consumer);
      const created: Omit<Session, 'stream'> & { stream?: Session['stream'] } = {
        consumer,
        generation: -1,
        owned: new Map(),
        settling: Promise.resolve(),
        failure: undefined,
        wake: () => undefined,
      };
      // Before consume(): its join emits the first assignment.
      consumer.on('consumer:group:join', (payload) => {
        const settling = created.settling.then(() => rebalanced(created, payload.generationId ?? consumer.generationId, payload.assignments ?? consumer.assignments ?? []));
        created.settling = settling.catch((error: unknown) => {
          created.failure = unreadable('reading the group offsets after a rebalance', error);
        });
        created.wake();
      });
      const stream = await consumer.consume({
        topics,
        mode: kafka.MessagesStreamModes.COMMITTED,
        fallbackMode: kafka.MessagesStreamFallbackModes.EARLIEST,
        autocommit: false,
        highWaterMark: options.maxBufferedMessages ?? KAFKA_SOURCE_DEFAULTS.maxBufferedMessages,
      });
      created.stream = stream;
      stream.on('error', (error: Error) => {
        created.failure = unreadable('the consumer failed', error);
        created.wake();
      });
      // A 'readable' listener puts the stream in paused mode: it fetches up to its high-water mark and read() pulls.
      stream.on('readable', () => created.wake());
      session = created as Session;
      return session;
    } catch (error) {
      await closeConsumer(consumer);
      throw unreadable(`cannot consume ${topics.join(', ')} in group ${group}`, error);
    }
  }

  /** A new generation: which partitions are ours now, and where each one's next message is. */
  async function rebalanced(s: Omit<Session, 'stream'>, generation: number, assignments: readonly { topic: string; partitions: number[] }[]): Promise<void> {
    const previous = s.owned;
    const continuous = generation === s.generation + 1;
    const owned = new Map<string, OwnedPartition>();
    const fresh: { topic: string; partitions: number[] }[] = [];
    for (const assignment of assignments) {
      const partitions: number[] = [];
      for (const partition of assignment.partitions) {
        const held = previous.get(key(assignment.topic, partition));
        if (held && continuous) owned.set(key(assignment.topic, partition), held);
        else partitions.push(partition);
      }
      if (partitions.length > 0) fresh.push({ topic: assignment.topic, partitions });
    }
    // Nothing is handed out until the new partitions' offsets are known (`settling`).
    s.owned = new Map();
    s.generation = generation;
    if (fresh.length > 0) {
      const committed = await s.consumer.listCommittedOffsets({ topics: fresh });
      const earliest = await s.consumer.listOffsets({ topics: fresh.map((f) => f.topic), timestamp: EARLIEST });
      const seeds: { topic: string; partition: number; offset: bigint; leaderEpoch: number }[] = [];
      for (const { topic: name, partitions } of fresh) {
        for (const partition of partitions) {
          const at = committed.get(name)?.[partition] ?? -1n;
          const start = earliest.get(name)?.[partition] ?? 0n;
          if (at < 0n) seeds.push({ topic: name, partition, offset: start, leaderEpoch: -1 });
          owned.set(key(name, partition), { kind: kindOf(name), since: generation, next: at >= 0n ? at : start });
        }
      }
      // A partition the group never committed gets its first offset committed now: the consumer
      // otherwise resumes a partition it gets back from where it had fetched ahead, not from the group.
      if (seeds.length > 0) await s.consumer.commit({ offsets: seeds });
    }
    s.owned = owned;
    options.onAssignment?.([...owned.keys()].sort());
  }

  async function endOffsets(consumer: Consumer<string, string, string, string>): Promise<Map<string, bigint>> {
    const ends = new Map<string, bigint>();
    for (const [name, offsets] of await consumer.listOffsets({ topics })) offsets.forEach((end, partition) => ends.set(key(name, partition), end));
    return ends;
  }

  /** One-shot: every owned partition is read up to where it ended at start. */
  function caughtUp(s: Session): boolean {
    for (const [k, partition] of s.owned) if (partition.next < (endsAtStart?.get(k) ?? 0n)) return false;
    return true;
  }

  function waitForNews(s: Session, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        s.wake = () => undefined;
        resolve();
      }
      s.wake = done;
    });
  }

  /** The unconfirmed batch again, without the partitions lost since it was read (their new owner reads them); undefined when nothing is left. */
  function replay(s: Session, last: { batch: SourceBatch; under: Map<string, number> }): SourceBatch | undefined {
    const held = (k: string): boolean => s.owned.get(k)?.since === last.under.get(k);
    const lines = last.batch.lines.filter((line) => held(line.key));
    if (lines.length === 0) return undefined;
    const batch: SourceBatch = { lines, positions: last.batch.positions.filter((position) => held(position.key)), rewritten: [] };
    unconfirmed = { batch, under: last.under };
    return batch;
  }

  async function drop(): Promise<void> {
    const s = session;
    session = undefined;
    if (!s) return;
    await s.stream.close().catch(() => undefined);
    await closeConsumer(s.consumer);
  }

  return {
    name: `kafka:${topic}`,
    read: async (_positions, maxLines) => {
      const s = await connect();
      await s.settling;
      const again = unconfirmed && replay(s, unconfirmed);
      if (again) return again;
      unconfirmed = undefined;
      const lines: StoredLine[] = [];
      const positions = new Map<string, SourcePosition>();
      const under = new Map<string, number>();
      let waited = false;
      while (lines.length < maxLines) {
        await s.settling;
        if (s.failure) {
          const failure = s.failure;
          await drop();
          throw failure;
        }
        const message = s.stream.read() as { topic: string; partition: number; offset: bigint; value: string | undefined } | null;
        if (message === null) {
          if (options.follow ? lines.length > 0 || waited : caughtUp(s)) break;
          // Follow: a short wait for a first message. One-shot: until data, a rebalance or a failure (re-checked each second).
          await waitForNews(s, options.follow ? readWaitMs : 1000);
          waited = true;
          continue;
        }
        const k = key(message.topic, message.partition);
        const partition = s.owned.get(k);
        // Fetched before this loader lost the partition, or fetched again after a rebalance: not ours to hand out.
        if (!partition || message.offset < partition.next) continue;
        partition.next = message.offset + 1n;
        lines.push({ kind: partition.kind, key: k, offset: Number(message.offset), text: message.value ?? '', truncated: false });
        positions.set(k, { key: k, kind: partition.kind, offset: Number(partition.next), fingerprint: '' });
        under.set(k, partition.since);
      }
      const batch: SourceBatch = { lines, positions: [...positions.values()], rewritten: [] };
      if (lines.length > 0) unconfirmed = { batch, under };
      return batch;
    },
    committed: async (positions) => {
      const under = unconfirmed?.under;
      unconfirmed = undefined;
      const s = session;
      if (!s || !under) return;
      const offsets = positions.flatMap((position) => {
        const partition = s.owned.get(position.key);
        // Lost since the batch was read (or lost and got back): its new owner reads from the group's commit.
        if (!partition || partition.since !== under.get(position.key)) return [];
        const cut = position.key.lastIndexOf('/');
        return [{ topic: position.key.slice(0, cut), partition: Number(position.key.slice(cut + 1)), offset: BigInt(position.offset), leaderEpoch: -1 }];
      });
      if (offsets.length === 0) return;
      try {
        await s.consumer.commit({ offsets });
      } catch (error) {
        // The group moved on (a rebalance): the broker refuses a commit of an older generation, and
        // the partition's new owner redelivers the batch; the rows are idempotent. Anything else is an error.
        if ((error as { findBy?: (key: string, value: unknown) => unknown }).findBy?.('needsRejoin', true)) return;
        throw unreadable('committing offsets', error);
      }
    },
    backlog: () => kafkaBacklog(clientOptions, topics, kindOf, (error) => unreadable(`reading the offsets of group ${group}`, error)),
    close: drop,
  };
}
