// The collector with validation worker threads (what the CLI runs on a machine with two cores or more)
// answers and stores exactly what the single-threaded collector does, on the real file sink.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCollector, createFileSink } from '@tracklane/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WRITE_KEYS, SERVER_KEY, httpRequest, readStore, type HttpAnswer } from '../helpers/collector.js';
import { CLICK, batch, envelope, invalidEnvelope, writeTrackingPlan } from '../helpers/tracking-plan.js';

interface Running {
  post(body: string): Promise<HttpAnswer>;
  dataDir: string;
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
  return { post, dataDir, close: () => collector.close() };
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

  it.each([
    ['a body that is not JSON', '{"events": [', 400],
    ['a batch over the event limit', JSON.stringify(batch([1, 2, 3, 4, 5, 6])), 413],
  ])('answer %s as the single thread does (%i)', async (_, body, status) => {
    const [fromThreads, fromSingle] = await Promise.all([threaded.post(body), single.post(body)]);
    expect(fromThreads.status).toBe(status);
    expect(fromThreads.json).toEqual(fromSingle.json);
  });
});
