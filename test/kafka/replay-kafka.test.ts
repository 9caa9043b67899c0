// `tracklane-collector replay --to kafka`: a raw store written by the collector's file sink is
// replayed to the good topic of a real broker, in the store's order, and a second replay adds nothing.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, createFileSink } from '@tracklane/collector';
import { deleteTopics, readTopic, useBroker, type Broker } from './kafka-broker.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ORDER = 'iglu:dev.tracklane.e2e/order/jsonschema/1-0-0';
const WRITE_KEY = 'e2e-replay';

let broker: Broker;
let work: string;
const topics: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'tracklane-kafka-replay-'));
  const dir = path.join(work, 'schemas/dev.tracklane.e2e/order/jsonschema');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, '1-0-0'),
    JSON.stringify({
      self: { vendor: 'dev.tracklane.e2e', name: 'order', format: 'jsonschema', version: '1-0-0' },
      type: 'object',
      properties: { n: { type: 'integer' } },
      required: ['n'],
    }),
  );
  broker = await useBroker();
}, 600_000);

afterAll(async () => {
  if (broker) {
    await deleteTopics(broker.bootstrap, topics);
    await broker.release();
  }
  rmSync(work, { recursive: true, force: true });
}, 120_000);

/** A raw store written by a real collector with the file sink: events created over 3 hours, 4 users, a bad event. */
async function rawStore(): Promise<{ dir: string; ids: Set<string> }> {
  const dir = path.join(work, 'store');
  const collector = createCollector({
    schemas: [path.join(work, 'schemas')],
    writeKeys: [{ key: WRITE_KEY }],
    sink: createFileSink({ dir, durability: 'write' }),
    log: () => undefined,
  });
  const url = await collector.listen(0, '127.0.0.1');
  const ids = new Set<string>();
  const events = [];
  for (let n = 0; n < 240; n++) {
    const id = randomUUID();
    ids.add(id);
    // Several events share a creation time: the replay orders those by id.
    const created = new Date(Date.UTC(2026, 1, 2, 10, 0, 0) + Math.floor(n / 3) * 135_000).toISOString();
    events.push({
      id,
      event: { schema: ORDER, data: { n } },
      ts: { created },
      app: { id: 'e2e', platform: 'srv' },
      tracker: { name: 'e2e', version: '0.0.0' },
      user: { anonymousId: `anon-${n % 4}` },
      consent: { purposes: { analytics: 'granted' } },
    });
  }
  events.push({ ...events[0], id: randomUUID(), event: { schema: ORDER, data: { n: 'bad' } } });
  // Sent newest first, so the store's files are not already in replay order.
  for (let i = events.length; i > 0; i -= 60) {
    const response = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
      body: JSON.stringify({ sentAt: new Date().toISOString(), events: events.slice(Math.max(0, i - 60), i).reverse() }),
    });
    expect(response.status).toBe(200);
  }
  await collector.close();
  return { dir, ids };
}

async function replayCli(store: string, goodTopic: string, badTopic: string): Promise<{ replayed: number; skipped: number }> {
  const { stdout } = await run(
    path.join(repo, 'node_modules/.bin/tsx'),
    ['packages/collector/src/cli.ts', 'replay', '--from', store, '--to', 'kafka', '--kafka-brokers', broker.bootstrap, '--kafka-good-topic', goodTopic, '--kafka-bad-topic', badTopic],
    { cwd: repo, timeout: 120_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { replayed: number; skipped: number };
}

describe('tracklane-collector replay --to kafka (real broker)', () => {
  it('replays the good events of a raw store in order, keyed by user, once', { timeout: 180_000 }, async () => {
    const { dir, ids } = await rawStore();
    const suffix = randomUUID().slice(0, 8);
    const goodTopic = `e2e-replay-good-${suffix}`;
    const badTopic = `e2e-replay-bad-${suffix}`;
    topics.push(goodTopic, badTopic);

    expect(await replayCli(dir, goodTopic, badTopic)).toMatchObject({ replayed: ids.size, skipped: 0 });
    const good = await readTopic(broker.bootstrap, goodTopic);
    expect(good).toHaveLength(ids.size);

    // Each message is the stored line as the collector wrote it, keyed by the user's anonymous id.
    const storedLines = new Set<string>();
    const goodDir = path.join(dir, 'good');
    for (const file of readdirSync(goodDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl'))) {
      for (const line of readFileSync(path.join(goodDir, file), 'utf8').split('\n')) if (line) storedLines.add(line);
    }
    const seen = new Set<string>();
    const lastOf = new Map<number, string>();
    for (const message of good) {
      expect(storedLines.has(message.value)).toBe(true);
      const { receivedAt, envelope } = JSON.parse(message.value) as { receivedAt: string; envelope: { id: string; ts: { created: string }; user: { anonymousId: string } } };
      expect(message.key).toBe(envelope.user.anonymousId);
      seen.add(envelope.id);
      // Deterministic order: within a partition, by receive hour, then creation time, then id.
      const position = `${receivedAt.slice(0, 13)} ${envelope.ts.created} ${envelope.id}`;
      expect(position > (lastOf.get(message.partition) ?? '')).toBe(true);
      lastOf.set(message.partition, position);
    }
    expect(seen).toEqual(ids);

    // A second replay finds every event on the topic already and adds nothing.
    expect(await replayCli(dir, goodTopic, badTopic)).toMatchObject({ replayed: 0, skipped: ids.size });
    expect(await readTopic(broker.bootstrap, goodTopic)).toHaveLength(ids.size);
    expect(await readTopic(broker.bootstrap, badTopic)).toHaveLength(0);
  });
});
