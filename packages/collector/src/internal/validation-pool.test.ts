import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchChecker, bodyRejection, type CheckContext } from './batch-check.js';
import { EventValidator } from './event-validator.js';
import { CollectorError, CollectorErrorCode } from './errors.js';
import { decodeBody } from './read-body.js';
import { SchemaRegistry } from './schema-registry.js';
import { ValidationPool } from './validation-pool.js';

const CLICK = 'iglu:com.acme/click/jsonschema/1-0-0';
const schemas = mkdtempSync(path.join(os.tmpdir(), 'tracklane-pool-'));
mkdirSync(path.join(schemas, 'com.acme/click/jsonschema'), { recursive: true });
writeFileSync(
  path.join(schemas, 'com.acme/click/jsonschema/1-0-0'),
  JSON.stringify({ self: { vendor: 'com.acme', name: 'click', format: 'jsonschema', version: '1-0-0' }, type: 'object', properties: { button: { type: 'string', maxLength: 8 } }, required: ['button'] }),
);
const limits = { maxDepth: 32, maxEventsPerBatch: 3 };
const pool = new ValidationPool(1, { schemas: [schemas], ...limits });
const checker = new BatchChecker(new EventValidator(new SchemaRegistry().load(schemas), { maxDepth: limits.maxDepth }), limits.maxEventsPerBatch);
const context: CheckContext = { appId: 'shop', clientIp: '203.0.113.0', receivedAt: Date.parse('2026-03-04T10:00:00.000Z') };

afterAll(async () => {
  await pool.close();
  rmSync(schemas, { recursive: true, force: true });
});

function envelope(id: string, data: Record<string, unknown>, appId = 'shop'): Record<string, unknown> {
  return {
    id: `0190a0b0-0000-7000-8000-00000000000${id}`,
    event: { schema: CLICK, data },
    ts: { created: '2026-03-04T05:06:07.089Z' },
    app: { id: appId, platform: 'web' },
    tracker: { name: 't', version: '1' },
    user: { anonymousId: 'anon-1' },
    consent: { purposes: { analytics: 'granted' } },
  };
}

/** What the main thread answers for the same body: its checked events, or the rejection. */
function onMainThread(body: Uint8Array): unknown {
  try {
    return checker.checkBody(decodeBody(body), context);
  } catch (error) {
    return bodyRejection(error);
  }
}

describe('ValidationPool', () => {
  it('checks a mixed batch in a worker exactly as the main thread does: verdicts, reasons, stored lines', async () => {
    const text = JSON.stringify({ sentAt: 'now', events: [envelope('1', { button: 'Café ☕' }), envelope('2', { button: 'far too long' }), envelope('3', { button: 'ok' }, 'other-app')] });
    const body = Buffer.from(text);
    const checked = await pool.check(body, context);
    expect(checked.map((event) => [event.ok, event.ok ? '' : event.reason])).toEqual([
      [true, ''],
      [false, 'invalid_data'],
      [false, 'app_mismatch'],
    ]);
    expect(checked).toEqual(onMainThread(body));
  });

  // A refusal crosses the thread as its code (structured clone drops an error's class) and is thrown again as a CollectorError.
  it.each([
    ['not JSON', Buffer.from('{"events": ['), CollectorErrorCode.BODY_NOT_JSON],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), CollectorErrorCode.BODY_UNREADABLE],
    ['no events array', Buffer.from('{"events": {}}'), CollectorErrorCode.BATCH_SHAPE],
    ['too many events', Buffer.from(JSON.stringify({ events: [1, 2, 3, 4] })), CollectorErrorCode.BATCH_TOO_LARGE],
  ])('refuses a body that is %s with a CollectorError of its code, answered as the main thread answers', async (_, body, code) => {
    const error = await pool.check(body, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectorError);
    expect(error).toMatchObject({ code });
    expect(bodyRejection(error)).toEqual(onMainThread(body));
  });

  it('refuses new bodies once closed, with an error the collector answers 503 to', async () => {
    const closed = new ValidationPool(1, { schemas: [schemas], ...limits });
    await closed.close();
    const error = await closed.check(Buffer.from('{"events":[]}'), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectorError);
    expect(error).toMatchObject({ code: CollectorErrorCode.VALIDATION_UNAVAILABLE, message: 'the validation pool is closed' });
  });
});
