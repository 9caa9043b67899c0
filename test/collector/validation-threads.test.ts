// The collector with validation worker threads (what the CLI runs on a machine with two cores or more)
// answers and stores exactly what the single-threaded collector does, on the real file sink.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createCollector, createFileSink, type SchemaRegistry } from '@tracklane/collector';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_WRITE_KEYS, SERVER_KEY, httpRequest, readStore, type HttpAnswer } from '../helpers/collector.js';
import { CLICK, batch, envelope, invalidEnvelope, writeTrackingPlan } from '../helpers/tracking-plan.js';

interface Running {
  post(body: string): Promise<HttpAnswer>;
  dataDir: string;
  registry: SchemaRegistry;
  close(): Promise<void>;
}

const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-threads-'));
const schemaDir = path.join(temp, 'schemas');
writeTrackingPlan(schemaDir);

async function start(name: string, validationThreads: number): Promise<Running> {
  const dataDir = path.join(temp, name);
  const collector = createCollector({
    schemas: [schemaDir],
    writeKeys: DEFAULT_WRITE_KEYS,
    sink: createFileSink({ dir: dataDir }),
    log: () => undefined,
    limits: { maxEventsPerBatch: 5 },
    validationThreads,
  });
  const url = await collector.listen(0, '127.0.0.1');
  const post = (body: string) => httpRequest(new URL('/v1/batch', url), 'POST', { authorization: `Bearer ${SERVER_KEY}`, 'content-type': 'application/json' }, body);
  return { post, dataDir, registry: collector.registry, close: () => collector.close() };
}

let threaded: Running;
let single: Running;
beforeAll(async () => {
  [threaded, single] = await Promise.all([start('threaded', 2), start('single', 0)]);
});
afterAll(async () => {
  await Promise.all([threaded.close(), single.close()]);
  rmSync(temp, { recursive: true, force: true });
});

/** Stored records without the time of arrival, which differs between the two collectors. */
const stored = (running: Running, kind: 'good' | 'bad') => readStore(running.dataDir, kind).map(({ file: _file, receivedAt: _receivedAt, ...record }) => record);

describe('validation threads', () => {
  it('answer a mixed batch and store its good and bad events as the single thread does', async () => {
    const events = [envelope(), invalidEnvelope(), envelope({ event: { schema: CLICK, data: { target: 'café ☕', label: 'ünïcödé' } } }), { id: 42 }];
    const body = JSON.stringify(batch(events));
    const [fromThreads, fromSingle] = await Promise.all([threaded.post(body), single.post(body)]);
    expect(fromThreads.status).toBe(200);
    expect(fromThreads.json).toEqual(fromSingle.json);
    expect(fromThreads.json).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(stored(threaded, 'good')).toEqual(stored(single, 'good'));
    expect(stored(threaded, 'bad')).toEqual(stored(single, 'bad'));
    expect(stored(threaded, 'good').map((record) => record.envelope)).toEqual([events[0], events[2]]);
  });

  it('deduplicate across requests served by different threads', async () => {
    const event = envelope();
    const answers = await Promise.all([1, 2, 3, 4].map(() => threaded.post(JSON.stringify(batch([event])))));
    expect(answers.map((answer) => answer.json.accepted as number).reduce((a, b) => a + b)).toBe(1);
    expect(stored(threaded, 'good').filter((record) => record.envelope!.id === event.id)).toHaveLength(1);
  });

  it("know the collector's built-in Snowplow schemas (a page view or structured event replayed to /v1/batch)", async () => {
    const events = [
      envelope({ event: { schema: 'iglu:com.snowplowanalytics.snowplow/page_view/jsonschema/1-0-0', data: {} } }),
      envelope({ event: { schema: 'iglu:com.google.analytics/event/jsonschema/1-0-0', data: { category: 'c', action: 'a', value: 1.5 } } }),
      envelope({ event: { schema: 'iglu:com.google.analytics/event/jsonschema/1-0-0', data: { category: 'c', action: 'a', value: '1.5' } } }),
    ];
    const body = JSON.stringify(batch(events));
    const [fromThreads, fromSingle] = await Promise.all([threaded.post(body), single.post(body)]);
    expect(fromThreads.json).toEqual(fromSingle.json);
    expect(fromThreads.json).toEqual({ accepted: 2, duplicates: 0, rejected: [{ id: events[2]!.id, errors: ['/event/data/value: must be number'] }] });
  });

  it.each([
    ['a body that is not JSON', '{"events": [', 400],
    ['a batch over the event limit', JSON.stringify(batch([1, 2, 3, 4, 5, 6])), 413],
  ])('answer %s as the single thread does (%i)', async (_, body, status) => {
    const [fromThreads, fromSingle] = await Promise.all([threaded.post(body), single.post(body)]);
    expect(fromThreads.status).toBe(status);
    expect(fromThreads.json).toEqual(fromSingle.json);
  });
});

describe('a schema added to the running collector\'s registry', () => {
  const REFUND = 'iglu:com.example/refund/jsonschema/1-0-0';
  const refundSchema = {
    self: { vendor: 'com.example', name: 'refund', format: 'jsonschema', version: '1-0-0' },
    type: 'object',
    properties: { orderId: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
    required: ['orderId', 'amount'],
    additionalProperties: false,
  };
  const refund = (amount: number) => envelope({ event: { schema: REFUND, data: { orderId: 'o-1', amount } } });

  /** Posts a good and a bad refund in each of four batches at once (so both threads serve some); checks answers and store. */
  async function expectRefundsChecked(running: Running): Promise<void> {
    const batches = [1, 2, 3, 4].map(() => [refund(5), refund(-5)]);
    const answers = await Promise.all(batches.map((events) => running.post(JSON.stringify(batch(events)))));
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ accepted: 1, duplicates: 0, rejected: [{ id: batches[i]![1]!.id, errors: ['/event/data/amount: must be >= 0'] }] });
    }
    const good = new Set(batches.map((events) => events[0]!.id));
    expect(stored(running, 'good').filter((record) => good.has(record.envelope!.id))).toHaveLength(4);
    const bad = stored(running, 'bad').filter((record) => (record.payload as { event?: { schema?: string } }).event?.schema === REFUND);
    expect(bad.map((record) => record.errors)).toEqual([1, 2, 3, 4].map(() => ['/event/data/amount: must be >= 0']));
  }

  it.each([
    ['with validation threads', 2],
    ['on one thread', 0],
  ])('validates events sent after add() %s: good ones stored, bad ones quarantined naming the field', async (_, threads) => {
    const running = await start(`added-${threads}`, threads);
    try {
      running.registry.add(refundSchema, 'added at run time');
      await expectRefundsChecked(running);
    } finally {
      await running.close();
    }
  });

  it('is known to validation threads started in place of ones that stopped', async () => {
    const running = await start('added-replaced', 2);
    try {
      const posted = vi.spyOn(Worker.prototype, 'postMessage');
      running.registry.add(refundSchema, 'added at run time');
      // The schema was posted to each thread: stop them all, so replacements serve what follows.
      const workers = new Set(posted.mock.contexts as Worker[]);
      expect(workers.size).toBe(2);
      await Promise.all([...workers].map((worker) => worker.terminate()));
      await expectRefundsChecked(running);
      // The stopped threads were sent nothing after the schema: the batches went to their replacements.
      expect(posted.mock.contexts.filter((worker) => workers.has(worker as Worker))).toHaveLength(2);
    } finally {
      await running.close();
    }
  });
});
