import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TracklaneError, isTracklaneError } from '@tracklane/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as entry from '../index.js';
import { createCollector, type Collector } from './collector-server.js';
import { CollectorError, CollectorErrorCode, httpStatus } from './errors.js';
import { createFileSink } from './sinks/file-sink.js';

/** The status the collector answers for each code (undefined: never answered over HTTP). */
const STATUS: [CollectorErrorCode, number | undefined][] = [
  [CollectorErrorCode.BODY_TOO_LARGE, 413],
  [CollectorErrorCode.BODY_UNREADABLE, 400],
  [CollectorErrorCode.UNSUPPORTED_ENCODING, 415],
  [CollectorErrorCode.BODY_NOT_JSON, 400],
  [CollectorErrorCode.BATCH_SHAPE, 400],
  [CollectorErrorCode.BATCH_TOO_LARGE, 413],
  [CollectorErrorCode.VALIDATION_UNAVAILABLE, 503],
  [CollectorErrorCode.OVERLOADED, 503],
  [CollectorErrorCode.INTERNAL, 500],
  [CollectorErrorCode.KAFKA_CONFIG, undefined],
  [CollectorErrorCode.FILE_SINK_CONFIG, undefined],
  [CollectorErrorCode.INSTANCE_LOCKED, undefined],
  [CollectorErrorCode.REPLAY_SOURCE, undefined],
  [CollectorErrorCode.REPLAY_TARGET, undefined],
];

describe('CollectorError', () => {
  it('is a TracklaneError with a code', () => {
    const cause = new Error('inner');
    const error = new CollectorError(CollectorErrorCode.BATCH_SHAPE, 'body must be an object with an "events" array', { cause });
    expect(isTracklaneError(error)).toBe(true);
    expect(error).toBeInstanceOf(TracklaneError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'CollectorError', code: 'BATCH_SHAPE', message: 'body must be an object with an "events" array', cause });
  });

  it.each(STATUS)('%s → HTTP %s', (code, status) => {
    expect(httpStatus(code)).toBe(status);
  });

  it('has a status entry for every code, each code its own value', () => {
    expect(STATUS.map(([code]) => code).sort()).toEqual(Object.keys(CollectorErrorCode).sort());
    for (const [key, value] of Object.entries(CollectorErrorCode)) expect(value).toBe(key);
  });

  it('is exported from the package entry (createKafkaSink rejects with one)', () => {
    expect(entry.CollectorError).toBe(CollectorError);
    expect(entry.CollectorErrorCode).toBe(CollectorErrorCode);
  });
});

describe.each([0, 1])('the answer to each refused body, over HTTP (%i validation threads)', (validationThreads) => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'tracklane-errors-'));
  let collector: Collector;
  let url: string;

  beforeAll(async () => {
    const schemas = path.join(temp, 'schemas');
    mkdirSync(path.join(schemas, 'com.acme/click/jsonschema'), { recursive: true });
    writeFileSync(
      path.join(schemas, 'com.acme/click/jsonschema/1-0-0'),
      JSON.stringify({ self: { vendor: 'com.acme', name: 'click', format: 'jsonschema', version: '1-0-0' }, type: 'object' }),
    );
    collector = createCollector({
      schemas: [schemas],
      writeKeys: [{ key: 'k' }],
      sink: createFileSink({ dir: path.join(temp, 'data') }),
      limits: { maxBodyBytes: 1024, maxEventsPerBatch: 3 },
      validationThreads,
      log: () => undefined,
    });
    url = await collector.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await collector.close();
    rmSync(temp, { recursive: true, force: true });
  });

  it.each([
    [CollectorErrorCode.BODY_TOO_LARGE, 413, 'x'.repeat(2000), {}, 'body larger than 1024 bytes'],
    [CollectorErrorCode.UNSUPPORTED_ENCODING, 415, '{}', { 'content-encoding': 'br' }, 'unsupported content-encoding br'],
    [CollectorErrorCode.BODY_UNREADABLE, 400, Buffer.from([0x7b, 0xff, 0x7d]), {}, 'body is not valid UTF-8'],
    [CollectorErrorCode.BODY_NOT_JSON, 400, '{"events": [', {}, 'body is not valid JSON'],
    [CollectorErrorCode.BATCH_SHAPE, 400, '{"events": {}}', {}, 'body must be an object with an "events" array'],
    [CollectorErrorCode.BATCH_TOO_LARGE, 413, '{"events": [1, 2, 3, 4]}', {}, 'more than 3 events in one batch'],
  ])('%s: %i with its message', async (code, status, body, headers: Record<string, string>, message) => {
    const response = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json', ...headers },
      body,
    });
    expect(response.status).toBe(status);
    expect(httpStatus(code)).toBe(status);
    expect(await response.json()).toEqual({ error: message });
  });
});
