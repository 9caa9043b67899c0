// The Kafka source against the real broker of test/kafka/broker/start.sh (one file: one broker for
// every case): tracker -> collector (Kafka sink) -> tracklane-warehouse -> DuckDB; a redelivery adds
// no row; kill -9 mid-load and a restart load every event once, into DuckDB and into PostgreSQL; two
// loaders in one group share the partitions and load every event once.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCollector, createKafkaSink, type KafkaSink } from '@tracklane/collector';
import { collectorDestination, createNodeTracker } from '@tracklane/node';
import { deleteTopics, useBroker, type Broker } from '../../../test/kafka/kafka-broker.js';
import { loadWarehouse } from '../src/internal/load/load-warehouse.js';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { kafkaSource } from '../src/internal/source/kafka-source.js';
import type { Source, StoredLine } from '../src/internal/source/source.js';
import { openDuckDbTarget } from '../src/internal/target/duckdb-target.js';
import type { Target } from '../src/internal/target/target.js';
import { killTwiceThenRestart } from './kill-scenario.js';
import { pgQuery, postgresForThisFile } from './postgres-server.js';
import { goodLine, query, Scratch } from './store-fixture.js';
import { runWarehouseCli, spawnWarehouseCli, untilOutput as until, type WarehouseProcess } from './warehouse-cli.js';

const KEY = 'warehouse-kafka-key';
const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';

let broker: Broker;
const postgres = postgresForThisFile();
const topics: string[] = [];
beforeAll(async () => {
  broker = await useBroker();
}, 600_000);
afterAll(async () => {
  if (!broker) return;
  await deleteTopics(broker.bootstrap, topics);
  await broker.release();
}, 120_000);

let scratch: Scratch;
const sinks: KafkaSink[] = [];
const loaders: WarehouseProcess[] = [];
beforeEach(() => {
  scratch = new Scratch();
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string' }, n: { type: 'integer' } }, { 'x-tracklane': { kind: 'event' }, additionalProperties: false });
});
afterEach(async () => {
  for (const loader of loaders.splice(0)) {
    loader.child.kill('SIGKILL');
    await loader.exited;
  }
  for (const sink of sinks.splice(0)) await sink.close();
  scratch.remove();
});

/** Fresh topics (the collector's sink creates them) and the flags that point the loader at them. */
async function freshTopics(partitions: number): Promise<{ sink: KafkaSink; group: string; flags: string[] }> {
  const run = randomUUID().slice(0, 8);
  const goodTopic = `wh-good-${run}`;
  const badTopic = `wh-bad-${run}`;
  topics.push(goodTopic, badTopic);
  const sink = await createKafkaSink({ brokers: [broker.bootstrap], goodTopic, badTopic, partitions, maxSendBytes: 4 << 20 });
  sinks.push(sink);
  const group = `wh-group-${run}`;
  return { sink, group, flags: ['--kafka-brokers', broker.bootstrap, '--kafka-topic', goodTopic, '--kafka-bad-topic', badTopic, '--kafka-group', group] };
}

const idOf = (n: number): string => `0190e0e0-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** Records per sink write: one send each (a write is never split), a few MiB; 200,000 go out in about 20 sends. */
const PRODUCE_CHUNK = 10_000;

/** Good records numbered `from` to `to - 1` as the collector writes them, keyed by 50 users (so every partition gets some). */
async function produce(sink: KafkaSink, from: number, to: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = from; start < to; start += PRODUCE_CHUNK) {
    const records = [];
    for (let n = start; n < Math.min(to, start + PRODUCE_CHUNK); n++) {
      ids.push(idOf(n));
      records.push({ kind: 'good' as const, id: idOf(n), time: Date.now(), key: `anon-${n % 50}`, value: goodLine({ id: idOf(n), schema: SIGNUP, data: { plan: 'pro', n } }) });
    }
    await sink.write(records);
  }
  return ids;
}

const count = async (db: string, sql = 'select count(*) as n from events'): Promise<number> => Number((await query(db, sql))[0]!.n);
const loadedIds = async (db: string): Promise<string[]> => (await query(db, 'select event_id from events order by event_id')).map((r) => r.event_id as string);

/** Per partition line of `status`: [key, offset, end, lag]. */
function lags(output: string): [string, number, number, number][] {
  return [...output.matchAll(/ (\S+) \((?:good|bad)\): offset (\d+) of (\d+), lag (\d+)$/gm)].map((m) => [m[1]!, Number(m[2]), Number(m[3]), Number(m[4])]);
}

/** The partitions of the last `assigned` line a loader printed. */
function assigned(output: string): string[] {
  const last = [...output.matchAll(/^kafka: group \S+ assigned (.*)$/gm)].at(-1)?.[1];
  return last === undefined || last === 'no partitions' ? [] : last.split(', ');
}

const loadedLines = (output: string): number => Number([...output.matchAll(/^loaded (\d+) lines/gm)].at(-1)?.[1] ?? 0);

describe('the Kafka source (real broker)', () => {
  it('tracker -> collector -> Kafka -> tracklane-warehouse -> DuckDB; status gives each partition its lag; loading again adds nothing', { timeout: 120_000 }, async () => {
    const { sink, flags } = await freshTopics(3);
    const collector = createCollector({ schemas: [scratch.schemas], writeKeys: [{ key: KEY }], sink, log: () => undefined });
    try {
      const url = await collector.listen(0, '127.0.0.1');
      const tracker = createNodeTracker({ appId: 'shop', destinations: [collectorDestination({ url, writeKey: KEY })], warn: () => undefined });
      const ids: string[] = [];
      for (let n = 0; n < 30; n++) ids.push(tracker.track({ schema: SIGNUP, data: { plan: n % 2 ? 'pro' : 'free', n } })!);
      const refused = tracker.track({ schema: SIGNUP, data: { plan: 7 } })!;
      await tracker.shutdown();

      const args = ['load', ...flags, '--schemas', scratch.schemas, '--duckdb', scratch.db];
      const first = await runWarehouseCli(args);
      expect(first.code, first.output).toBe(0);
      expect(first.output).toMatch(/done: 31 lines, 30 events, 1 quarantined/);
      expect(await loadedIds(scratch.db)).toEqual([...ids].sort());
      expect(await query(scratch.db, 'select plan, count(*)::int as n from com_acme_signup_1 group by 1 order by 1')).toEqual([
        { plan: 'free', n: 15 },
        { plan: 'pro', n: 15 },
      ]);
      expect(await query(scratch.db, 'select reason, event_id from quarantine')).toEqual([{ reason: 'COLLECTOR_REJECTED', event_id: refused }]);

      const status = await runWarehouseCli(['status', ...flags, '--duckdb', scratch.db]);
      expect(status.code, status.output).toBe(0);
      const partitions = lags(status.output);
      expect(partitions.map(([key]) => key)).toEqual([...[0, 1, 2].map((p) => `${sink.goodTopic}/${p}`), ...[0, 1, 2].map((p) => `${sink.badTopic}/${p}`)]);
      expect(partitions.every(([, , , lag]) => lag === 0)).toBe(true);
      expect(partitions.reduce((sum, [, offset]) => sum + offset, 0)).toBe(31);

      const again = await runWarehouseCli(args);
      expect(again.output).toMatch(/done: 0 lines/);
      expect(await count(scratch.db)).toBe(30);
    } finally {
      await collector.close();
    }
  });

  it('a redelivery (a loader that stopped after its warehouse commit, before the group commit) adds no row', { timeout: 120_000 }, async () => {
    const { sink, group, flags } = await freshTopics(3);
    const ids = await produce(sink, 0, 500);
    const source = kafkaSource({ brokers: [broker.bootstrap], topic: sink.goodTopic, badTopic: sink.badTopic, group });
    // The warehouse transaction commits; the group's offsets never do (the source is told of no position).
    const withoutGroupCommit: Source = { name: source.name, read: source.read, backlog: source.backlog, committed: () => source.committed!([]), close: source.close! };
    const target = await openDuckDbTarget({ file: scratch.db });
    try {
      const summary = await loadWarehouse({ source: withoutGroupCommit, target, model: deriveModel(loadSchemas(scratch.schemas)), batchSize: 200 });
      expect(summary).toMatchObject({ lines: 500, events: 500, batches: 3 });
    } finally {
      await source.close!();
      await target.close();
    }
    expect(await count(scratch.db)).toBe(500);
    const before = await runWarehouseCli(['status', ...flags, '--duckdb', scratch.db]);
    expect(lags(before.output).reduce((sum, [, , , lag]) => sum + lag, 0)).toBe(500);

    // The restart reads the 500 again: the rows are there once.
    const restart = await runWarehouseCli(['load', ...flags, '--schemas', scratch.schemas, '--duckdb', scratch.db]);
    expect(restart.code, restart.output).toBe(0);
    expect(restart.output).toMatch(/done: 500 lines, 500 events, 0 quarantined/);
    expect(await loadedIds(scratch.db)).toEqual(ids);
    expect(await count(scratch.db, 'select count(*) as n from com_acme_signup_1')).toBe(500);
    const after = await runWarehouseCli(['status', ...flags, '--duckdb', scratch.db]);
    expect(lags(after.output).reduce((sum, [, , , lag]) => sum + lag, 0)).toBe(0);
  });

  it('a batch whose warehouse transaction failed is read again when --follow retries, not skipped', { timeout: 120_000 }, async () => {
    const { sink, group } = await freshTopics(3);
    const ids = await produce(sink, 0, 900);
    const source = kafkaSource({ brokers: [broker.bootstrap], topic: sink.goodTopic, badTopic: sink.badTopic, group, follow: true });
    const target = await openDuckDbTarget({ file: scratch.db });
    // The second transaction fails (the database full, say); the loader retries it.
    let applies = 0;
    const failing: Target = new Proxy(target, {
      get(t, property, receiver) {
        if (property === 'apply' && ++applies === 2) return () => Promise.reject(new Error('disk full'));
        const value: unknown = Reflect.get(t, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
      },
    });
    const stop = new AbortController();
    const errors: string[] = [];
    const giveUp = setTimeout(() => stop.abort(), 60_000);
    try {
      await loadWarehouse({
        source,
        target: failing,
        model: deriveModel(loadSchemas(scratch.schemas)),
        batchSize: 200,
        follow: true,
        signal: stop.signal,
        // No waiting between reads or before the retry.
        clock: { now: () => Date.now(), sleep: () => Promise.resolve() },
        onError: (error) => errors.push((error as Error).message),
        onBatch: (summary) => summary.events >= 900 && stop.abort(),
      });
    } finally {
      clearTimeout(giveUp);
      await source.close!();
      await target.close();
    }
    expect(errors).toEqual(['disk full']);
    expect(await loadedIds(scratch.db)).toEqual(ids);
  });

  it('a rebalance mid-load: the loader that lost a partition neither hands out nor commits what it read of it; its new owner reads it from the group\'s commit', { timeout: 120_000 }, async () => {
    const TOTAL = 3000;
    const { sink, group } = await freshTopics(4);
    const ids = await produce(sink, 0, TOTAL);
    const assignments: Record<'a' | 'b', string[][]> = { a: [], b: [] };
    const open = (name: 'a' | 'b', follow: boolean): Source =>
      kafkaSource({ brokers: [broker.bootstrap], topic: sink.goodTopic, badTopic: sink.badTopic, group, follow, onAssignment: (keys) => assignments[name].push([...keys]) });
    const a = open('a', false);
    const b = open('b', true);
    const idOfLine = (line: StoredLine): string => (JSON.parse(line.text) as { envelope: { id: string } }).envelope.id;
    try {
      // A batch of nearly everything, read by the only member: every partition is in it.
      const inFlight = await a.read(new Map(), TOTAL - 10);
      expect(inFlight.lines).toHaveLength(TOTAL - 10);
      expect(new Set(inFlight.lines.map((line) => line.key)).size).toBe(4);

      // A second member joins before the batch is committed.
      const bFirst = b.read(new Map(), TOTAL);
      const deadline = Date.now() + 60_000;
      while (assignments.a.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const kept = assignments.a.at(-1)!;
      const lost = assignments.a[0]!.filter((key) => !kept.includes(key) && key.startsWith(`${sink.goodTopic}/`));
      expect(lost.length).toBeGreaterThan(0);
      await a.committed!(inFlight.positions);
      const offsets = new Map((await a.backlog(new Map())).map((entry) => [entry.key, entry.loaded]));
      for (const position of inFlight.positions) expect(offsets.get(position.key), position.key).toBe(lost.includes(position.key) ? 0 : position.offset);

      // Both drain the topic: A only its partitions, B its own from the group's offsets (A's lost lines again).
      const seen = new Map<string, string[]>(inFlight.lines.map((line) => [idOfLine(line), [`a:${line.key}`]]));
      const take = (name: 'a' | 'b', lines: readonly StoredLine[]): void => {
        for (const line of lines) {
          expect(assignments[name].at(-1), `${name} handed out ${line.key}`).toContain(line.key);
          seen.set(idOfLine(line), [...(seen.get(idOfLine(line)) ?? []), `${name}:${line.key}`]);
        }
      };
      let batch = await bFirst;
      take('b', batch.lines);
      await b.committed!(batch.positions);
      while (ids.some((id) => !seen.has(id)) || [...seen.values()].filter((where) => where.length > 1).length < inFlight.lines.filter((line) => lost.includes(line.key)).length) {
        if (Date.now() > deadline) throw new Error(`${seen.size} of ${TOTAL} events handed out`);
        for (const [name, source] of [['a', a], ['b', b]] as const) {
          batch = await source.read(new Map(), 500);
          take(name, batch.lines);
          await source.committed!(batch.positions);
        }
      }
      expect([...seen.keys()].sort()).toEqual(ids);
      // Handed out twice: exactly the in-flight lines of the partitions A lost (A, then B); nothing else.
      const twice = [...seen].filter(([, where]) => where.length > 1);
      expect(twice.map(([id]) => id).sort()).toEqual(inFlight.lines.filter((line) => lost.includes(line.key)).map(idOfLine).sort());
      expect(twice.every(([, where]) => where.length === 2 && where[0]!.startsWith('a:') && where[1]!.startsWith('b:'))).toBe(true);
    } finally {
      await a.close!();
      await b.close!();
    }
  });

  it('an unreachable cluster: a one-shot load fails with a clear error, --follow retries and says why', { timeout: 60_000 }, async () => {
    // A port nobody listens on: bound, then closed.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const args = ['load', '--kafka-brokers', `127.0.0.1:${port}`, '--schemas', scratch.schemas, '--duckdb', scratch.db];

    const once = await runWarehouseCli(args);
    expect(once.code).toBe(1);
    expect(once.output).toMatch(new RegExp(`^tracklane-warehouse: SOURCE_UNREADABLE: kafka 127\\.0\\.0\\.1:${port}: .*Connection to 127\\.0\\.0\\.1:${port} failed`, 'm'));

    const follow = spawnWarehouseCli([...args, '--follow']);
    loaders.push(follow);
    await until(follow, (output) => /^warning: load failed \(attempt 2\)/m.test(output), 'the follower retries');
    follow.child.kill('SIGTERM');
    expect(await follow.exited, follow.output()).toBe(0);
    expect(follow.output()).toMatch(/^warning: load failed \(attempt 1\): kafka 127\.0\.0\.1:\d+: .*ECONNREFUSED.*; retrying in 1 s$/m);
  });

  const KILL_TOTAL = 200_000;
  // The two kill tests read one topic of 200,000 events (producing it takes longer than a load's third), each with its own group.
  let killTopic: Promise<{ goodTopic: string; ids: string[]; flags: string[]; group: string; producedMs: number }> | undefined;
  const topicOf200k = (): NonNullable<typeof killTopic> =>
    (killTopic ??= (async () => {
      const { sink, group, flags } = await freshTopics(3);
      const started = performance.now();
      const ids = await produce(sink, 0, KILL_TOTAL);
      return { goodTopic: sink.goodTopic, ids, flags, group, producedMs: performance.now() - started };
    })());

  for (const into of ['duckdb', 'postgres'] as const) {
    it(`200,000 events into ${into === 'duckdb' ? 'DuckDB' : 'PostgreSQL'}: kill -9 twice in the middle of a load, then a restart: every event exactly once`, { timeout: 180_000 }, async () => {
      const TOTAL = KILL_TOTAL;
      const BATCH = 2000;
      const { goodTopic, ids, group, producedMs, ...topic } = await topicOf200k();
      const flags = topic.flags.map((flag) => (flag === group ? `${group}-${into}` : flag));
      const url = into === 'postgres' ? await postgres().createDatabase(postgres().freshName('kafka_kill')) : '';
      const rows = (sql: string): Promise<Record<string, unknown>[]> => (into === 'duckdb' ? query(scratch.db, sql) : pgQuery(url, sql));
      // A short session: the restarted loader gets the killed one's partitions 6 s after the kill (the broker's minimum).
      const args = ['load', ...flags, '--kafka-session-timeout-ms', '6000', '--schemas', scratch.schemas, ...(into === 'duckdb' ? ['--duckdb', scratch.db] : ['--postgres', url]), '--batch-size', String(BATCH)];
      const events = async (): Promise<number> => Number((await rows('select count(*)::int as n from events'))[0]!.n);
      // The manifest's next offsets of the good topic: the messages before them are the rows committed.
      const committedOffsets = async (): Promise<number> =>
        (await rows('select key, position from _tracklane_manifest')).filter((r) => (r.key as string).startsWith(`${goodTopic}/`)).reduce((sum, r) => sum + Number(r.position), 0);

      // A third of the load (100 batches in all) before each kill.
      const { durations } = await killTwiceThenRestart({ args, total: TOTAL, batchesBeforeKill: 33, committed: async () => ({ events: await events(), lines: await committedOffsets() }), started: (run) => loaders.push(run) });
      console.log(`[kafka kill-restart ${into}] topic produced in ${(producedMs / 1000).toFixed(1)} s; runs ${durations.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);

      expect((await rows('select event_id from events')).map((r) => r.event_id as string).sort()).toEqual(ids);
      expect(await rows('select count(*)::int as n, count(distinct event_id)::int as d from com_acme_signup_1')).toEqual([{ n: TOTAL, d: TOTAL }]);
      expect(await rows('select count(*)::int as n from quarantine')).toEqual([{ n: 0 }]);
      expect(await committedOffsets()).toBe(TOTAL);
    });
  }

  it('two loaders in one group share the partitions and load every event once', { timeout: 180_000 }, async () => {
    const TOTAL = 8000;
    const { sink, flags } = await freshTopics(4);
    // A DuckDB file has one writer: each loader has its own (a shared warehouse is PostgreSQL's job).
    const dbs = ['a', 'b'].map((name) => path.join(scratch.dir, `${name}.duckdb`));
    const start = (db: string): WarehouseProcess => {
      const run = spawnWarehouseCli(['load', '--follow', '--flush-interval-ms', '100', ...flags, '--schemas', scratch.schemas, '--duckdb', db, '--batch-size', '500']);
      loaders.push(run);
      return run;
    };
    const a = start(dbs[0]!);
    const every = [sink.goodTopic, sink.badTopic].flatMap((topic) => [0, 1, 2, 3].map((p) => `${topic}/${p}`)).sort();
    await until(a, (output) => assigned(output).length === every.length, 'the first loader gets every partition');
    const b = start(dbs[1]!);
    await until(b, (output) => assigned(output).length > 0, 'the second loader gets partitions');
    await until(a, (output) => assigned(output).length + assigned(b.output()).length === every.length, "the first loader gives up the second one's partitions");
    const [mine, theirs] = [assigned(a.output()), assigned(b.output())];
    expect([...mine, ...theirs].sort()).toEqual(every);

    const ids = await produce(sink, 0, TOTAL);
    await until(a, () => loadedLines(a.output()) + loadedLines(b.output()) >= TOTAL, 'both loaders together load every event', 120_000);
    for (const run of [a, b]) run.child.kill('SIGTERM');
    expect(await a.exited, a.output()).toBe(0);
    expect(await b.exited, b.output()).toBe(0);

    const [fromA, fromB] = [await loadedIds(dbs[0]!), await loadedIds(dbs[1]!)];
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
    expect([...fromA, ...fromB].sort()).toEqual(ids);
    // Each loaded only the partitions it was given.
    const keys = async (db: string): Promise<string[]> => (await query(db, 'select key from _tracklane_manifest order by key')).map((r) => r.key as string);
    const good = (owned: string[]): string[] => owned.filter((k) => k.startsWith(`${sink.goodTopic}/`));
    expect(good(mine).length).toBeGreaterThan(0);
    expect(good(theirs).length).toBeGreaterThan(0);
    expect(await keys(dbs[0]!)).toEqual(good(mine));
    expect(await keys(dbs[1]!)).toEqual(good(theirs));
  });
});
