// The Kafka sink's own logic against a stand-in client: grouping, one send at a time, time limits,
// replacing a failed producer, readiness and recovery, topic creation. test/kafka/ runs it against
// a real broker.
import { createServer } from 'node:net';
import { isTracklaneError } from '@tracklane/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CollectorError, CollectorErrorCode } from '../errors.js';
import type { SinkRecord } from './sink.js';

interface SentMessage {
  topic: string;
  key?: string;
  value: string;
  headers?: Record<string, string>;
}

const fake = vi.hoisted(() => {
  const state = {
    topics: new Set<string>(),
    created: [] as { topics: string[]; partitions?: number; replicas?: number; configs?: unknown }[],
    producers: [] as FakeProducer[],
    /** How the next sends go: each entry settles one send; an empty queue means success. */
    outcomes: [] as ('ok' | 'fail' | 'hang')[],
    sends: [] as SentMessage[][],
    metadataOk: true,
    inFlight: 0,
    maxInFlight: 0,
  };
  class FakeProducer {
    closed = false;
    constructor(readonly options: Record<string, unknown>) {
      state.producers.push(this);
    }
    send(request: { messages: SentMessage[] }): Promise<unknown> {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      const outcome = state.outcomes.shift() ?? 'ok';
      return new Promise((resolve, reject) => {
        setTimeout(() => {
          if (outcome === 'hang') return;
          state.inFlight--;
          if (outcome === 'fail') return reject(new Error('Connection to 127.0.0.1:9 failed.', { cause: new Error('connect ECONNREFUSED') }));
          state.sends.push(request.messages);
          resolve({ offsets: [] });
        }, 5);
      });
    }
    metadata(): Promise<unknown> {
      if (!state.metadataOk) return Promise.reject(new Error('no broker'));
      return Promise.resolve({ topics: new Map([...state.topics].map((t) => [t, { partitions: [{ leader: 1 }, { leader: 1 }] }])) });
    }
    close(): Promise<void> {
      this.closed = true;
      return Promise.resolve();
    }
  }
  class FakeAdmin {
    listTopics(): Promise<string[]> {
      return Promise.resolve([...state.topics]);
    }
    createTopics(request: { topics: string[]; partitions?: number; replicas?: number; configs?: unknown }): Promise<unknown[]> {
      state.created.push(request);
      for (const topic of request.topics) state.topics.add(topic);
      return Promise.resolve([]);
    }
    metadata(): Promise<unknown> {
      return FakeProducer.prototype.metadata.call(undefined);
    }
    close(): Promise<void> {
      return Promise.resolve();
    }
  }
  return { state, FakeProducer, FakeAdmin };
});
type FakeProducer = InstanceType<typeof fake.FakeProducer>;

vi.mock('@platformatic/kafka', () => ({
  Producer: fake.FakeProducer,
  Admin: fake.FakeAdmin,
  ProduceAcks: { ALL: -1 },
  stringSerializers: {},
  compatibilityPartitioner: () => 0,
}));

const { createKafkaSink } = await import('./kafka-sink.js');

const options = { brokers: ['127.0.0.1:9092'], goodTopic: 'good', badTopic: 'bad', writeTimeoutMs: 300 };
const good = (id: string, key = 'anon-1'): SinkRecord => ({ kind: 'good', id, time: 0, key, value: `{"id":"${id}"}` });
const bad = (id: string): SinkRecord => ({ kind: 'bad', id, time: 0, key: undefined, value: `{"bad":"${id}"}` });

afterEach(() => {
  const { state } = fake;
  state.topics.clear();
  state.created.length = 0;
  state.producers.length = 0;
  state.outcomes.length = 0;
  state.sends.length = 0;
  state.metadataOk = true;
  state.inFlight = 0;
  state.maxInFlight = 0;
});

describe('createKafkaSink', () => {
  it('creates the missing topics at start, with the broker defaults unless told', async () => {
    fake.state.topics.add('good');
    const sink = await createKafkaSink({ ...options, partitions: 6 });
    expect(fake.state.created).toEqual([
      { topics: ['bad'], partitions: 6, replicas: -1, configs: [{ name: 'max.message.bytes', value: '16777216' }] },
    ]);
    await sink.close();
  });

  it('fails at start when topics are missing and createTopics is false, with a CollectorError KAFKA_CONFIG', async () => {
    const error = await createKafkaSink({ ...options, createTopics: false }).catch((e: unknown) => e);
    expect(isTracklaneError(error)).toBe(true);
    expect(error).toBeInstanceOf(CollectorError);
    expect(error).toMatchObject({ code: CollectorErrorCode.KAFKA_CONFIG, message: 'kafka: topic(s) good, bad do not exist (and createTopics is false)' });
  });

  it('configures an idempotent producer with acks from all replicas', async () => {
    const sink = await createKafkaSink(options);
    expect(fake.state.producers[0]!.options).toMatchObject({ idempotent: true, acks: -1, bootstrapBrokers: ['127.0.0.1:9092'] });
    await sink.close();
  });

  it('sends good records keyed by anonymous id to the good topic and bad records unkeyed to the bad topic', async () => {
    const sink = await createKafkaSink(options);
    await sink.write([good('a'), bad('b')]);
    expect(fake.state.sends).toEqual([
      [
        { topic: 'good', key: 'anon-1', value: '{"id":"a"}', headers: { 'tracklane-id': 'a' } },
        { topic: 'bad', value: '{"bad":"b"}', headers: { 'tracklane-id': 'b' } },
      ],
    ]);
    await sink.close();
  });

  it('groups concurrent writes into one send, in arrival order, with one send in flight at a time', async () => {
    const sink = await createKafkaSink(options);
    await Promise.all([sink.write([good('1')]), sink.write([good('2')]), sink.write([good('3')])]);
    expect(fake.state.sends.map((s) => s.map((m) => m.value))).toEqual([['{"id":"1"}', '{"id":"2"}', '{"id":"3"}']]);
    const first = sink.write([good('4')]);
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([first, sink.write([good('5')]), sink.write([good('6')])]);
    expect(fake.state.sends.slice(1).map((s) => s.map((m) => m.value))).toEqual([['{"id":"4"}'], ['{"id":"5"}', '{"id":"6"}']]);
    expect(fake.state.maxInFlight).toBe(1);
    await sink.close();
  });

  it('rejects every write of a failed send, reports not ready, replaces the producer and recovers', async () => {
    const sink = await createKafkaSink(options);
    fake.state.outcomes.push('fail');
    const results = await Promise.allSettled([sink.write([good('1')]), sink.write([good('2')])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('kafka: Connection to 127.0.0.1:9 failed. (connect ECONNREFUSED)');
    expect(sink.isReady()).toBe(false);
    expect(fake.state.producers[0]!.closed).toBe(true);
    await sink.write([good('3')]);
    expect(fake.state.producers).toHaveLength(2);
    expect(sink.isReady()).toBe(true);
    expect(fake.state.sends.flat().map((m) => m.value)).toEqual(['{"id":"3"}']);
    await sink.close();
  });

  it('becomes ready again without traffic once the cluster answers (probe every second)', async () => {
    const sink = await createKafkaSink(options);
    fake.state.outcomes.push('fail');
    fake.state.metadataOk = false;
    await expect(sink.write([good('1')])).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(sink.isReady()).toBe(false);
    fake.state.metadataOk = true;
    await vi.waitFor(() => expect(sink.isReady()).toBe(true), { timeout: 3000 });
    await sink.close();
  });

  it('rejects a send that hangs after writeTimeoutMs; a write queued behind it settles within twice that', async () => {
    const sink = await createKafkaSink(options);
    fake.state.outcomes.push('hang', 'hang');
    const started = Date.now();
    const hanging = sink.write([good('1')]);
    await new Promise((resolve) => setImmediate(resolve));
    const queued = sink.write([good('2')]);
    await expect(hanging).rejects.toThrow(/produce timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(700);
    await expect(queued).rejects.toThrow(/produce timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(1200);
    // Neither was acknowledged; each failed send replaced the producer.
    expect(fake.state.sends).toEqual([]);
    expect(fake.state.producers.slice(0, 2).map((p: FakeProducer) => p.closed)).toEqual([true, true]);
    expect(sink.isReady()).toBe(false);
    await sink.close();
  });

  it('close waits for queued writes, then closes the producer; later writes are refused', async () => {
    const sink = await createKafkaSink(options);
    const pending = sink.write([good('1')]);
    await sink.close();
    await expect(pending).resolves.toBeUndefined();
    expect(fake.state.producers.every((p: FakeProducer) => p.closed)).toBe(true);
    await expect(sink.write([good('2')])).rejects.toThrow(/closed/);
    expect(sink.isReady()).toBe(false);
  });

  it.each([
    [{ brokers: [] }, /brokers must be host:port/],
    [{ brokers: ['localhost'] }, /brokers must be host:port/],
    [{ goodTopic: 'same', badTopic: 'same' }, /must differ/],
    [{ goodTopic: 'no spaces' }, /invalid topic name/],
    [{ writeTimeoutMs: 0 }, /writeTimeoutMs must be a positive number/],
  ])('refuses %j', async (patch, message) => {
    await expect(createKafkaSink({ ...options, ...patch })).rejects.toThrow(message);
  });
});

describe('createKafkaSink against nothing listening', () => {
  // The deadline counts from the call, loading of the Kafka client included (0.6-0.8 s cold, more on a
  // loaded 2-core machine): giving up takes 1.5 s. The bound leaves room for a slow event loop.
  it('gives up at start after startTimeoutMs, naming the brokers', { timeout: 20_000 }, async () => {
    vi.doUnmock('@platformatic/kafka');
    vi.resetModules();
    const real = await import('./kafka-sink.js');
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const started = Date.now();
    await expect(real.createKafkaSink({ ...options, brokers: [`127.0.0.1:${port}`], startTimeoutMs: 1500 })).rejects.toThrow(
      new RegExp(`cluster at 127\\.0\\.0\\.1:${port} is not ready after 1500 ms`),
    );
    expect(Date.now() - started, 'ms to give up').toBeLessThan(5000);
  });
});
