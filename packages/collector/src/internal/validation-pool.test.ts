import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BatchChecker, bodyRejection, type CheckContext } from './batch-check.js';
import { EventValidator } from './event-validator.js';
import { CollectorError, CollectorErrorCode, isCollectorError } from './errors.js';
import { decodeBody } from './read-body.js';
import { SchemaRegistry } from './schema-registry.js';
import { ValidationPool } from './validation-pool.js';

const CLICK = 'iglu:com.acme/click/jsonschema/1-0-0';
/** Not among the pool's sources: added at run time. */
const REFUND = 'iglu:com.acme/refund/jsonschema/1-0-0';
const refundSchema = { self: { vendor: 'com.acme', name: 'refund', format: 'jsonschema', version: '1-0-0' }, type: 'object', properties: { amount: { type: 'number', minimum: 0 } }, required: ['amount'] };
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

function envelope(id: string, data: Record<string, unknown>, appId = 'shop', schema = CLICK): Record<string, unknown> {
  return {
    id: `0190a0b0-0000-7000-8000-00000000000${id}`,
    event: { schema, data },
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

  // Before, the worker answered this RangeError as 413 BATCH_TOO_LARGE "Invalid time value": the tracker dropped the batch.
  it('sends an error it did not expect back as INTERNAL, a 500 the tracker retries, as the main thread answers', async () => {
    // new Date(NaN).toISOString() throws a RangeError while the events are checked.
    const broken: CheckContext = { ...context, receivedAt: Number.NaN };
    const body = Buffer.from(JSON.stringify({ events: [envelope('1', { button: 'ok' })] }));
    const error = await pool.check(body, broken).catch((e: unknown) => e);
    expect(isCollectorError(error, CollectorErrorCode.INTERNAL)).toBe(true);
    const rejection = bodyRejection(error);
    expect(rejection).toMatchObject({ code: CollectorErrorCode.INTERNAL, status: 500, message: expect.stringMatching(/^unexpected RangeError at /) });
    const onMain = (() => {
      try {
        return checker.checkBody(decodeBody(body), broken);
      } catch (caught) {
        return bodyRejection(caught);
      }
    })();
    expect(onMain).toMatchObject({ code: CollectorErrorCode.INTERNAL, status: 500, message: expect.stringMatching(/^unexpected RangeError at /) });
  });

  it('refuses new bodies once closed, with an error the collector answers 503 to', async () => {
    const closed = new ValidationPool(1, { schemas: [schemas], ...limits });
    await closed.close();
    const error = await closed.check(Buffer.from('{"events":[]}'), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectorError);
    expect(error).toMatchObject({ code: CollectorErrorCode.VALIDATION_UNAVAILABLE, message: 'the validation pool is closed' });
  });

  describe('which body goes next', () => {
    const small = Buffer.from(JSON.stringify({ events: [envelope('1', { button: 'ok' })] }));
    const large = Buffer.from(JSON.stringify({ events: [envelope('2', { button: 'ok', pad: 'x'.repeat(2_000_000) })] }));

    /** The order in which bodies posted at once to a pool of one worker are answered, the first one already in hand. */
    async function answerOrder(pooled: ValidationPool, bodies: [string, Buffer][], meanwhile: () => void = () => undefined): Promise<string[]> {
      const order: string[] = [];
      const answers = bodies.map(([name, body]) => pooled.check(body, context).then(() => void order.push(name)));
      meanwhile();
      await Promise.all(answers);
      return order;
    }

    it('the smallest waiting body, so a small batch waits for the body in hand only, not for every large one queued before it', async () => {
      // A clock that stands still: however long the first body takes, none of the others has waited.
      const sjf = new ValidationPool(1, { schemas: [schemas], ...limits }, undefined, () => 0);
      try {
        expect(await answerOrder(sjf, [['large 1', large], ['large 2', large], ['large 3', large], ['small', small]])).toEqual(['large 1', 'small', 'large 2', 'large 3']);
      } finally {
        await sjf.close();
      }
    });

    it('a body that waited a second goes first, however large: small ones cannot hold it back for good', async () => {
      let clock = 0;
      const aging = new ValidationPool(1, { schemas: [schemas], ...limits }, undefined, () => clock);
      try {
        expect(await answerOrder(aging, [['large 1', large], ['large 2', large], ['small', small]], () => (clock = 1000))).toEqual(['large 1', 'large 2', 'small']);
      } finally {
        await aging.close();
      }
    });
  });

  describe('with a schema added at run time', () => {
    const refunds = Buffer.from(JSON.stringify({ events: [envelope('1', { amount: 5 }, 'shop', REFUND), envelope('2', { amount: -5 }, 'shop', REFUND)] }));
    const verdicts = (checked: Awaited<ReturnType<ValidationPool['check']>>) => checked.map((event) => (event.ok ? 'ok' : event.errors));

    it('checks bodies posted after addSchema against it, in every worker', async () => {
      const added = new ValidationPool(2, { schemas: [schemas], ...limits });
      try {
        added.addSchema(refundSchema, 'inline');
        // Posted together, the bodies go to both workers.
        const answers = await Promise.all([1, 2, 3, 4].map(() => added.check(refunds, context)));
        for (const checked of answers) expect(verdicts(checked)).toEqual(['ok', ['/event/data/amount: must be >= 0']]);
      } finally {
        await added.close();
      }
    });

    it('compiles it in a worker started in place of one that stopped', async () => {
      const added = new ValidationPool(1, { schemas: [schemas], ...limits });
      try {
        const posted = vi.spyOn(Worker.prototype, 'postMessage');
        added.addSchema(refundSchema, 'inline');
        const [first] = posted.mock.contexts as Worker[];
        // The pool starts the replacement when the worker exits, before terminate() resolves.
        await first!.terminate();
        expect(verdicts(await added.check(refunds, context))).toEqual(['ok', ['/event/data/amount: must be >= 0']]);
        expect(posted.mock.contexts.at(-1)).not.toBe(first);
      } finally {
        await added.close();
      }
    });
  });
});
