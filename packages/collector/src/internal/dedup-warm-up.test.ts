import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from './collector-server.js';
import type { DedupWindowOptions } from './dedup-window.js';
import { createFileSink } from './sinks/file-sink.js';
import type { RecentIds, Sink } from './sinks/sink.js';

const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-dedup-warm-up-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const schemas = path.join(temp, 'schemas');
mkdirSync(path.join(schemas, 'com.acme/click/jsonschema'), { recursive: true });
writeFileSync(path.join(schemas, 'com.acme/click/jsonschema/1-0-0'), JSON.stringify({ self: { vendor: 'com.acme', name: 'click', format: 'jsonschema', version: '1-0-0' }, type: 'object' }));
let dirs = 0;
const freshDir = (): string => path.join(temp, `data-${dirs++}`);

let serial = 0;
const CREATED = '2026-03-04T10:06:07.089Z';
function envelope(): Record<string, unknown> {
  return {
    id: `0190a0b0-0000-7000-8000-${(serial++).toString(16).padStart(12, '0')}`,
    event: { schema: 'iglu:com.acme/click/jsonschema/1-0-0', data: {} },
    ts: { created: CREATED },
    app: { id: 'shop', platform: 'srv' },
    tracker: { name: 't', version: '1' },
    user: { anonymousId: 'anon-1' },
    consent: { purposes: { analytics: 'granted' } },
  };
}

interface Running {
  collector: Collector;
  logs: { msg: string; [field: string]: unknown }[];
  post(events: readonly object[]): Promise<unknown>;
}

async function start(sink: Sink, dedup: DedupWindowOptions = {}): Promise<Running> {
  const logs: Running['logs'] = [];
  const collector = createCollector({ schemas: [schemas], writeKeys: [{ key: 'k' }], sink, dedup, log: (line) => logs.push(JSON.parse(line) as Running['logs'][number]) });
  const url = await collector.listen(0, '127.0.0.1');
  const post = async (events: readonly object[]): Promise<unknown> => {
    const response = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    return response.json();
  };
  return { collector, logs, post };
}

/** Ids of every good line of a store, torn lines aside. */
function storedIds(dir: string): string[] {
  const good = path.join(dir, 'good');
  return readdirSync(good, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.jsonl'))
    .flatMap((file) => readFileSync(path.join(good, file), 'utf8').split('\n'))
    .flatMap((line) => {
      try {
        return [(JSON.parse(line) as { envelope: { id: string } }).envelope.id];
      } catch {
        return [];
      }
    });
}

/** A part file written by hand: each event as the collector stores it, received `agoMs` before now. */
function storeHolding(dir: string, events: [Record<string, unknown>, number][], tail = ''): void {
  const file = path.join(dir, 'good', `date=${CREATED.slice(0, 10)}`, `hour=${CREATED.slice(11, 13)}`, 'part-earlier.jsonl');
  mkdirSync(path.dirname(file), { recursive: true });
  const lines = events.map(([event, agoMs]) => `${JSON.stringify({ receivedAt: new Date(Date.now() - agoMs).toISOString(), clientIp: '203.0.113.0', envelope: event })}\n`);
  writeFileSync(file, lines.join('') + tail);
}

const MINUTE = 60_000;

describe('a collector starting on a raw store that holds events', () => {
  it('answers the ids the store holds as duplicates and stores nothing new', async () => {
    const dir = freshDir();
    const events = Array.from({ length: 20 }, envelope);
    const first = await start(createFileSink({ dir }));
    expect(await first.post(events)).toEqual({ accepted: 20, duplicates: 0, rejected: [] });
    await first.collector.close();

    const second = await start(createFileSink({ dir }));
    const fresh = envelope();
    expect(await second.post([...events, fresh])).toEqual({ accepted: 1, duplicates: 20, rejected: [] });
    await second.collector.close();
    expect(storedIds(dir).sort()).toEqual([...events, fresh].map((e) => e.id).sort());
    // Filled before it listened.
    const messages = second.logs.map((line) => line.msg);
    expect(messages.indexOf('dedup window filled from the sink')).toBeLessThan(messages.indexOf('collector listening'));
    expect(second.logs.find((line) => line.msg === 'dedup window filled from the sink')).toMatchObject({ sink: 'file', ids: 20, files: 1, skippedLines: 0 });
  });

  it('starts with an empty window when told to (`warmFromStore: false`)', async () => {
    const dir = freshDir();
    const events = Array.from({ length: 3 }, envelope);
    const first = await start(createFileSink({ dir }));
    await first.post(events);
    await first.collector.close();
    const second = await start(createFileSink({ dir }), { warmFromStore: false });
    expect(await second.post(events)).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    await second.collector.close();
    expect(storedIds(dir)).toHaveLength(6);
  });

  it('remembers only ids received within ttlMs', async () => {
    const dir = freshDir();
    const [old, recent] = [envelope(), envelope()];
    storeHolding(dir, [
      [old, 90 * MINUTE],
      [recent, 10 * MINUTE],
    ]);
    const collector = await start(createFileSink({ dir }), { ttlMs: 60 * MINUTE });
    expect(await collector.post([old, recent])).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    await collector.collector.close();
  });

  it('remembers only the maxIds most recently received', async () => {
    const dir = freshDir();
    const events = Array.from({ length: 5 }, envelope);
    // Written out of receive order: the window keeps the most recent, not the last written.
    storeHolding(dir, events.map((event, i): [Record<string, unknown>, number] => [event, [50, 10, 40, 20, 30][i]! * MINUTE]));
    const collector = await start(createFileSink({ dir }), { maxIds: 2 });
    expect(await collector.post(events)).toEqual({ accepted: 3, duplicates: 2, rejected: [] });
    await collector.collector.close();
    // The two received 10 and 20 minutes ago were duplicates: stored once; the others twice.
    const stored = storedIds(dir);
    expect(events.map((event) => stored.filter((id) => id === event.id).length)).toEqual([2, 1, 2, 1, 2]);
  });

  it('skips a line torn by a crash: that event (never acknowledged) lands when retried', async () => {
    const dir = freshDir();
    const [whole, torn] = [envelope(), envelope()];
    storeHolding(dir, [[whole, MINUTE]], JSON.stringify({ receivedAt: new Date().toISOString(), envelope: torn }).slice(0, -30));
    const collector = await start(createFileSink({ dir }));
    expect(await collector.post([whole, torn])).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    await collector.collector.close();
    expect(collector.logs.find((line) => line.msg === 'dedup window filled from the sink')).toMatchObject({ ids: 1, skippedLines: 1 });
  });
});

describe('the collector and its sink while the window is filled', () => {
  /** A sink whose `recentIds` answers when the test says. */
  function slowSink(): Sink & { answer: (ids: RecentIds | Error) => void; written: string[] } {
    let answer: (ids: RecentIds | Error) => void = () => undefined;
    const answered = new Promise<RecentIds>((resolve, reject) => (answer = (ids) => (ids instanceof Error ? reject(ids) : resolve(ids))));
    const written: string[] = [];
    return {
      name: 'slow',
      written,
      answer: (ids) => answer(ids),
      write: async (records) => void written.push(...records.map((r) => r.id!)),
      isReady: () => true,
      recentIds: () => answered,
      close: async () => undefined,
    };
  }

  it('listens only once the ids are in', async () => {
    const sink = slowSink();
    const landed = envelope();
    const collector = createCollector({ schemas: [schemas], writeKeys: [{ key: 'k' }], sink, log: () => undefined });
    const listening = collector.listen(0, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(collector.server.listening).toBe(false);
    sink.answer({ ids: [landed.id as string], receivedAt: [Date.now()], files: 1, bytes: 100, skipped: 0 });
    const url = await listening;
    const answer = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify({ events: [landed] }) });
    expect(await answer.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    await collector.close();
  });

  it('starts with an empty window, and says so, with a sink that cannot give its ids back (Kafka)', async () => {
    const logs: string[] = [];
    const sink: Sink = { name: 'kafka', write: async () => undefined, isReady: () => true, close: async () => undefined };
    const collector = createCollector({ schemas: [schemas], writeKeys: [{ key: 'k' }], sink, log: (line) => logs.push(line) });
    await collector.listen(0, '127.0.0.1');
    expect(logs.join('\n')).toContain('"msg":"dedup window starts empty: the sink cannot give back the ids it holds","sink":"kafka"');
    await collector.close();
  });

  it('starts with an empty window, and says so, when the sink cannot be read back', async () => {
    const sink = slowSink();
    const logs: string[] = [];
    const collector = createCollector({ schemas: [schemas], writeKeys: [{ key: 'k' }], sink, log: (line) => logs.push(line) });
    sink.answer(new Error('EACCES: permission denied'));
    const url = await collector.listen(0, '127.0.0.1');
    const answer = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify({ events: [envelope()] }) });
    expect(await answer.json()).toMatchObject({ accepted: 1 });
    expect(logs.join('\n')).toContain('"msg":"could not read event ids back from the sink: the dedup window starts empty","sink":"slow","error":"EACCES: permission denied"');
    await collector.close();
  });
});
