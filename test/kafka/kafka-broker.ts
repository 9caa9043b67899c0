// Helpers for the Kafka end-to-end tests: a real single-node broker started by test/kafka/broker/start.sh,
// and a reader that takes everything a topic holds.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Admin, Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scripts = path.join(repo, 'test/kafka/broker');
const stateDir = process.env.TRACKLANE_KAFKA_DIR ?? path.join(scripts, 'run');

export interface Broker {
  /** `127.0.0.1:<port>`; the same after a restart. */
  readonly bootstrap: string;
  /** False for a broker given by TRACKLANE_KAFKA_BOOTSTRAP: the tests cannot stop it. */
  readonly controllable: boolean;
  /** SIGKILL (a crash): the log directory stays. */
  kill(): Promise<void>;
  /** Starts it again on the same log directory and port; resolves when it is ready. */
  restart(): Promise<void>;
  /** Stops the broker if these tests started it; leaves a broker someone else started running. */
  release(): Promise<void>;
}

function runningPid(): number | undefined {
  const file = path.join(stateDir, 'broker.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function script(name: 'start.sh' | 'stop.sh', args: string[], owned: boolean): Promise<string> {
  const env = { ...process.env, TRACKLANE_KAFKA_DIR: stateDir, ...(owned ? { TRACKLANE_KAFKA_OWNER_PID: String(process.pid) } : {}) };
  const { stdout } = await run('bash', [path.join(scripts, name), ...args], { env, timeout: 600_000, maxBuffer: 16 << 20 });
  return stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * The broker for these tests: TRACKLANE_KAFKA_BOOTSTRAP when set, else the one of
 * test/kafka/broker/start.sh (started here unless already running, e.g. by .ci/run).
 */
export async function useBroker(): Promise<Broker> {
  const external = process.env.TRACKLANE_KAFKA_BOOTSTRAP;
  if (external) {
    const noop = async (): Promise<void> => {
      throw new Error('the broker of TRACKLANE_KAFKA_BOOTSTRAP is not controlled by the tests');
    };
    return { bootstrap: external, controllable: false, kill: noop, restart: noop, release: async () => undefined };
  }
  const owned = runningPid() === undefined;
  const started = performance.now();
  const bootstrap = await script('start.sh', [], owned);
  if (!/^127\.0\.0\.1:\d+$/.test(bootstrap)) throw new Error(`test/kafka/broker/start.sh printed ${JSON.stringify(bootstrap)}`);
  console.log(`[kafka] broker ${bootstrap} ${owned ? 'started' : 'already running'} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return {
    bootstrap,
    controllable: true,
    kill: async () => void (await script('stop.sh', ['--kill'], owned)),
    restart: async () => {
      const again = await script('start.sh', [], owned);
      if (again !== bootstrap) throw new Error(`the broker came back on ${again}, not ${bootstrap}`);
    },
    release: async () => {
      if (owned) await script('stop.sh', [], owned);
    },
  };
}

export interface TopicMessage {
  key: string | undefined;
  value: string;
  partition: number;
  offset: bigint;
  headers: Map<string, string>;
}

/** Every message the topic holds now, in partition then offset order. */
export async function readTopic(bootstrap: string, topic: string, timeoutMs = 30_000): Promise<TopicMessage[]> {
  const consumer = new Consumer({
    clientId: 'tracklane-e2e-reader',
    groupId: `tracklane-e2e-${topic}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    bootstrapBrokers: [bootstrap],
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  });
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const expected = ends.reduce((sum, end) => sum + Number(end), 0);
    const messages: TopicMessage[] = [];
    if (expected > 0) {
      const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false, sessionTimeout: 10_000, heartbeatInterval: 500 });
      const deadline = setTimeout(() => stream.destroy(new Error(`read ${messages.length} of ${expected} messages of ${topic} in ${timeoutMs} ms`)), timeoutMs);
      try {
        for await (const message of stream) {
          messages.push({
            key: message.key,
            value: message.value,
            partition: message.partition,
            offset: message.offset,
            headers: new Map(message.headers),
          });
          if (messages.length >= expected) break;
        }
      } finally {
        clearTimeout(deadline);
        await stream.close().catch(() => undefined);
      }
    }
    return messages.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
  } finally {
    await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  }
}

export async function deleteTopics(bootstrap: string, topics: string[]): Promise<void> {
  const admin = new Admin({ clientId: 'tracklane-e2e-admin', bootstrapBrokers: [bootstrap] });
  try {
    await admin.deleteTopics({ topics });
  } catch {
    // Best effort: a later run uses other topic names anyway.
  } finally {
    await admin.close().catch(() => undefined);
  }
}
