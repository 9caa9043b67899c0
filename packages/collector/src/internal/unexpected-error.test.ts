// An error the collector did not expect (a bug in a validator, in the tp2 mapping) is a retryable 500,
// logged without the body; only what the collector decided to refuse, by its code, is a 4xx.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TracklaneError, isRetryableStatus } from '@tracklane/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bodyRejection } from './batch-check.js';
import { createCollector, type Collector } from './collector-server.js';
import { CollectorError, CollectorErrorCode, internalError, isCollectorError } from './errors.js';
import { EventValidator } from './event-validator.js';
import { parseBody } from './read-body.js';
import type { Sink, SinkRecord } from './sinks/sink.js';
import * as tp2 from './snowplow-tp2.js';

// The tp2 mapping, made to fail like a bug would while `tp2Bug.on` is set.
const tp2Bug = vi.hoisted(() => ({ on: false }));
vi.mock('./snowplow-tp2.js', async (importOriginal) => {
  const actual = await importOriginal<typeof tp2>();
  return {
    ...actual,
    envelopesFromTp2: (body: unknown, receivedAt: number, maxPayloads?: number) => {
      if (tp2Bug.on) throw new TypeError(`cannot map ${JSON.stringify(body)}`);
      return actual.envelopesFromTp2(body, receivedAt, maxPayloads);
    },
  };
});

const KEY = 'server-key-7f3a';
/** A value of the body that an error's message quotes: it must reach no log line. */
const SECRET = 'card-4111-1111';
const CLICK = 'iglu:com.acme/click/jsonschema/1-0-0';

function envelope(id: string): Record<string, unknown> {
  return {
    id,
    event: { schema: CLICK, data: { button: SECRET } },
    ts: { created: '2026-03-04T05:06:07.089Z' },
    app: { id: 'shop', platform: 'srv' },
    tracker: { name: 't', version: '1' },
    user: { anonymousId: 'anon-1' },
    consent: { purposes: { analytics: 'granted' } },
  };
}

describe('bodyRejection: the answer decided by code, not by class or text', () => {
  const refused = (error: unknown) => bodyRejection(error);

  it.each([
    ['BODY_NOT_JSON', new CollectorError(CollectorErrorCode.BODY_NOT_JSON, 'body is not valid JSON'), 400],
    ['BATCH_SHAPE', new CollectorError(CollectorErrorCode.BATCH_SHAPE, 'no events'), 400],
    ['BODY_TOO_LARGE', new CollectorError(CollectorErrorCode.BODY_TOO_LARGE, 'body larger than 1 bytes'), 413],
    ['BATCH_TOO_LARGE', new CollectorError(CollectorErrorCode.BATCH_TOO_LARGE, 'more than 3 events in one batch'), 413],
    ['UNSUPPORTED_ENCODING', new CollectorError(CollectorErrorCode.UNSUPPORTED_ENCODING, 'unsupported content-encoding br'), 415],
  ])('a CollectorError %s is refused with its status and message', (code, error, status) => {
    expect(refused(error)).toEqual({ code, status, message: error.message });
  });

  it('a body that is not JSON is refused 400 BODY_NOT_JSON, its text quoted nowhere', () => {
    const error = (() => {
      try {
        return parseBody(`{"events": [${SECRET}`);
      } catch (caught) {
        return caught;
      }
    })();
    expect(refused(error)).toEqual({ code: 'BODY_NOT_JSON', status: 400, message: 'body is not valid JSON' });
  });

  // Each of these was answered 400 "body is not valid JSON" or 413 by its class: a client dropped the batch.
  it.each([
    ['a TypeError', new TypeError(`Cannot read properties of undefined (reading '${SECRET}')`), 'TypeError'],
    ['a RangeError (was 413)', new RangeError(`Invalid array length ${SECRET}`), 'RangeError'],
    ['a SyntaxError not from the body (was 400)', new SyntaxError(`Unexpected token ${SECRET}`), 'SyntaxError'],
    ['a CollectorError no body check throws', new CollectorError(CollectorErrorCode.KAFKA_CONFIG, `topics missing ${SECRET}`), 'CollectorError'],
    ['a thrown string', SECRET, 'string'],
  ])('%s is INTERNAL, a 500, described by class and place only', (_, error, name) => {
    const rejection = refused(error);
    expect(rejection).toMatchObject({ code: CollectorErrorCode.INTERNAL, status: 500 });
    expect(rejection.message.startsWith(`unexpected ${name}`)).toBe(true);
    expect(rejection.message).not.toContain(SECRET);
    expect(isRetryableStatus(rejection.status)).toBe(true);
  });

  it('names where the error was thrown', () => {
    expect(internalError(new TypeError('x')).message).toMatch(/^unexpected TypeError at .*unexpected-error\.test\.ts:\d+:\d+/);
  });

  it('an INTERNAL rebuilt from a worker thread message stays a 500 with its description', () => {
    const fromWorker = new CollectorError(CollectorErrorCode.INTERNAL, 'unexpected TypeError at check (batch-check.ts:1:1)');
    expect(refused(fromWorker)).toEqual({ code: 'INTERNAL', status: 500, message: 'unexpected TypeError at check (batch-check.ts:1:1)' });
  });

  it('knows a CollectorError of another copy of the package by its brand and name, not its class', () => {
    const other = Object.assign(new TracklaneError(CollectorErrorCode.BODY_NOT_JSON, 'body is not valid JSON'), { name: 'CollectorError' });
    expect(other).not.toBeInstanceOf(CollectorError);
    expect(isCollectorError(other, CollectorErrorCode.BODY_NOT_JSON)).toBe(true);
    expect(refused(other)).toMatchObject({ status: 400 });
    expect(isCollectorError(new TracklaneError(CollectorErrorCode.BODY_NOT_JSON, 'x'))).toBe(false);
    expect(isCollectorError(new CollectorError(CollectorErrorCode.BATCH_SHAPE, 'x'), CollectorErrorCode.BODY_NOT_JSON)).toBe(false);
  });
});

describe('over HTTP, a bug while checking a body', () => {
  const records: SinkRecord[] = [];
  const sink: Sink = { name: 'memory', write: async (batch) => void records.push(...batch), isReady: () => true, close: async () => undefined };
  const logs: string[] = [];
  const schemas = mkdtempSync(path.join(os.tmpdir(), 'tracklane-unexpected-'));
  let collector: Collector;
  let url: string;

  beforeAll(async () => {
    mkdirSync(path.join(schemas, 'com.acme/click/jsonschema'), { recursive: true });
    writeFileSync(path.join(schemas, 'com.acme/click/jsonschema/1-0-0'), JSON.stringify({ self: { vendor: 'com.acme', name: 'click', format: 'jsonschema', version: '1-0-0' }, type: 'object' }));
    collector = createCollector({ schemas: [schemas], writeKeys: [{ key: KEY }], sink, dedup: { warmFromStore: false }, limits: { maxEventsPerBatch: 3 }, log: (line) => logs.push(line) });
    url = await collector.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await collector.close();
    rmSync(schemas, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    tp2Bug.on = false;
  });

  const post = (route: string, body: unknown) =>
    fetch(`${url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('in a validator: 500, which the tracker retries, and the retry lands the batch', async () => {
    const batch = { events: [envelope('0190a0b0-0000-7000-8000-000000000001')] };
    vi.spyOn(EventValidator.prototype, 'validate').mockImplementation((value) => {
      throw new TypeError(`validator bug on ${JSON.stringify(value)}`);
    });
    const failed = await post('/v1/batch', batch);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'internal error' });
    expect(isRetryableStatus(failed.status)).toBe(true);
    expect(records).toEqual([]);

    vi.restoreAllMocks();
    const retried = await post('/v1/batch', batch);
    expect(await retried.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(records.map((record) => record.id)).toEqual(['0190a0b0-0000-7000-8000-000000000001']);
  });

  it('in the tp2 mapping: 500, not 400', async () => {
    tp2Bug.on = true;
    const answer = await post(tp2.TP2_PATH, { schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: [{ e: 'pv', url: SECRET }] });
    expect(answer.status).toBe(500);
    expect(isRetryableStatus(answer.status)).toBe(true);
  });

  it('is logged by class and place, on its route, with nothing of the body or the key', () => {
    const failures = logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request failed');
    expect(failures.map((line) => [line.level, line.route])).toEqual([
      ['error', '/v1/batch'],
      ['error', tp2.TP2_PATH],
    ]);
    for (const line of failures) expect(line.error).toMatch(/^unexpected TypeError at /);
    expect(logs.join('\n')).not.toContain(SECRET);
    expect(logs.join('\n')).not.toContain(KEY);
  });

  it('a body that really is not JSON is still 400, a batch too large still 413', async () => {
    const notJson = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: '{"events": [' });
    expect([notJson.status, await notJson.json()]).toEqual([400, { error: 'body is not valid JSON' }]);
    const tooMany = await post('/v1/batch', { events: [1, 2, 3, 4] });
    expect([tooMany.status, await tooMany.json()]).toEqual([413, { error: 'more than 3 events in one batch' }]);
  });
});
