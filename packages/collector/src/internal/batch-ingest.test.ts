import { describe, expect, it } from 'vitest';
import { CollectorError, CollectorErrorCode } from './errors.js';
import { BatchIngest } from './batch-ingest.js';
import { DedupWindow } from './dedup-window.js';
import { EventValidator } from './event-validator.js';
import { createMetrics } from './metrics.js';
import { SchemaRegistry } from './schema-registry.js';
import type { Sink, SinkRecord } from './sinks/sink.js';

const CLICK = 'iglu:com.acme/click/jsonschema/1-0-0';
const registry = new SchemaRegistry();
registry.add({ self: { vendor: 'com.acme', name: 'click', format: 'jsonschema', version: '1-0-0' }, type: 'object', required: ['button'] }, 'click');
const validator = new EventValidator(registry);

let serial = 0;
function envelope(patch: Record<string, unknown> = {}): Record<string, unknown> {
  const id = `0190a0b0-0000-7000-8000-${(serial++).toString(16).padStart(12, '0')}`;
  return {
    id,
    event: { schema: CLICK, data: { button: 'buy' } },
    ts: { created: '2026-03-04T05:06:07.089Z' },
    app: { id: 'shop', platform: 'srv' },
    tracker: { name: 't', version: '1' },
    user: { anonymousId: 'anon-1' },
    consent: { purposes: { analytics: 'granted' } },
    ...patch,
  };
}

/** A sink that records what it was given and can be told to fail. */
function memorySink(): Sink & { records: SinkRecord[]; failing: boolean } {
  return {
    name: 'memory',
    records: [],
    failing: false,
    async write(records) {
      if (this.failing) throw new Error('disk full');
      this.records.push(...records);
    },
    isReady() {
      return !this.failing;
    },
    async close() {},
  };
}

function setup(maxEventsPerBatch = 10) {
  const sink = memorySink();
  const metrics = createMetrics();
  const ingest = new BatchIngest(validator, new DedupWindow(), sink, metrics, maxEventsPerBatch);
  const context = { key: { key: 'k', appId: 'shop' }, clientIp: '203.0.113.0', receivedAt: new Date('2026-03-04T10:00:00.000Z') };
  const counted = async (outcome: string): Promise<number> =>
    (await metrics.events.get()).values.filter((v) => v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
  return { sink, ingest, context, counted, metrics };
}

describe('BatchIngest', () => {
  describe('events(): the shape of a batch', () => {
    const { ingest } = setup(3);
    it.each([null, 1, 'x', [], {}, { events: {} }, { events: 'a' }, { Events: [] }])('%j is not a batch (400)', (body) => {
      expect(() => ingest.events(body)).toThrow(CollectorError);
      expect(() => ingest.events(body)).toThrow(expect.objectContaining({ code: CollectorErrorCode.BATCH_SHAPE }));
    });
    it('an empty batch is a batch', () => {
      expect(ingest.events({ events: [] })).toEqual([]);
    });
    it('more than maxEventsPerBatch events is too large (413)', () => {
      expect(ingest.events({ events: [1, 2, 3] })).toHaveLength(3);
      // By its code, as the other refusals (it was a RangeError, which any bug could throw too).
      expect(() => ingest.events({ events: [1, 2, 3, 4] })).toThrow(expect.objectContaining({ code: CollectorErrorCode.BATCH_TOO_LARGE, message: 'more than 3 events in one batch' }));
    });
  });

  it('keeps the good events of a mixed batch and quarantines the bad with the original payload and reasons', async () => {
    const { sink, ingest, context } = setup();
    const good = envelope();
    const bad = envelope({ event: { schema: CLICK, data: {} } });
    const answer = await ingest.ingest([good, bad, 'junk'], context);
    expect(answer).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { id: bad.id, errors: ["/event/data: must have required property 'button'"] },
        { id: null, errors: ['/: must be object'] },
      ],
    });
    expect(sink.records.map((r) => [r.kind, r.id])).toEqual([['good', good.id], ['bad', bad.id], ['bad', undefined]]);
    const [goodRecord, badRecord] = sink.records;
    expect(JSON.parse(goodRecord!.value)).toEqual({ receivedAt: '2026-03-04T10:00:00.000Z', clientIp: '203.0.113.0', envelope: good });
    // Partitioned by the receive time, not the event's creation time (2026-03-04T05:06:07.089Z).
    expect(goodRecord).toMatchObject({ time: Date.parse('2026-03-04T10:00:00.000Z'), key: 'anon-1' });
    expect(JSON.parse(badRecord!.value)).toEqual({
      receivedAt: '2026-03-04T10:00:00.000Z',
      clientIp: '203.0.113.0',
      errors: ["/event/data: must have required property 'button'"],
      payload: bad,
    });
    expect(badRecord!.time).toBe(context.receivedAt.getTime());
  });

  it('rejects events of another app than the write key names', async () => {
    const { ingest, context } = setup();
    const other = envelope({ app: { id: 'intruder', platform: 'web' } });
    expect(await ingest.ingest([other], context)).toMatchObject({ accepted: 0, rejected: [{ id: other.id, errors: ['/app/id: "intruder" is not the app of this write key'] }] });
  });

  it('counts duplicates within a batch and across batches, and writes each id once', async () => {
    const { sink, ingest, context, counted } = setup();
    const a = envelope();
    const b = envelope();
    expect(await ingest.ingest([a, a, b], context)).toMatchObject({ accepted: 2, duplicates: 1 });
    expect(await ingest.ingest([b, a], context)).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(sink.records.filter((r) => r.kind === 'good').map((r) => r.id)).toEqual([a.id, b.id]);
    expect(await counted('duplicate')).toBe(3);
    expect(await counted('accepted')).toBe(2);
  });

  it('when the sink fails: rejects, and the retry of the same batch lands (reservations released)', async () => {
    const { sink, ingest, context } = setup();
    const events = [envelope(), envelope()];
    sink.failing = true;
    await expect(ingest.ingest(events, context)).rejects.toThrow('disk full');
    sink.failing = false;
    expect(await ingest.ingest(events, context)).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(sink.records).toHaveLength(2);
  });

  describe('a retry racing its first attempt', () => {
    /** A sink whose first write waits for `release()`, and fails if told to. */
    function heldSink() {
      let release!: (ok: boolean) => void;
      const first = new Promise<boolean>((resolve) => (release = resolve));
      const sink = memorySink();
      let calls = 0;
      const write = sink.write.bind(sink);
      sink.write = async (records) => {
        if (calls++ === 0 && !(await first)) throw new Error('disk full');
        await write(records);
      };
      return { sink, release };
    }

    it.each([
      [true, { accepted: 0, duplicates: 1 }],
      [false, { accepted: 1, duplicates: 0 }],
    ])('waits for the first write (succeeds: %s) instead of answering blind', async (firstSucceeds, retryAnswer) => {
      const { sink, release } = heldSink();
      const ingest = new BatchIngest(validator, new DedupWindow(), sink, createMetrics(), 10);
      const { context } = setup();
      const event = envelope();
      const first = ingest.ingest([event], context).catch(() => 'failed');
      const retry = ingest.ingest([event], context);
      release(firstSucceeds);
      expect(await first).toEqual(firstSucceeds ? { accepted: 1, duplicates: 0, rejected: [] } : 'failed');
      expect(await retry).toMatchObject(retryAnswer);
      expect(sink.records.map((r) => r.id)).toEqual([event.id]);
    });

    it('two batches waiting on each other\'s ids both finish (no deadlock)', async () => {
      const { sink, release } = heldSink();
      const ingest = new BatchIngest(validator, new DedupWindow(), sink, createMetrics(), 10);
      const { context } = setup();
      const [x, y, z] = [envelope(), envelope(), envelope()];
      const c = ingest.ingest([z], context); // its write is held: z stays reserved
      const a = ingest.ingest([x, z, y], context); // reserves x, waits for z
      const b = ingest.ingest([y, x], context); // reserves y, waits for x
      release(true); // z lands; a goes on to y, which b holds
      const timeout = new Promise((resolve) => setTimeout(() => resolve('timed out'), 2000));
      const outcome = await Promise.race([Promise.all([c, a, b]), timeout]);
      expect(outcome).not.toBe('timed out');
      expect(sink.records.map((r) => r.id).sort()).toEqual([x.id, y.id, z.id].sort());
    });
  });

  it('quarantines an event nested too deep to serialize, and still lands its good neighbours', async () => {
    const { sink, ingest, context } = setup();
    const good = envelope();
    const deep = JSON.parse(`{"id":"x","deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const answer = await ingest.ingest([good, deep], context);
    expect(answer).toMatchObject({ accepted: 1, rejected: [{ id: 'x', errors: [expect.stringContaining('nested deeper than 32 levels')] }] });
    expect(sink.records.map((r) => r.kind)).toEqual(['good', 'bad']);
    const badRecord = JSON.parse(sink.records[1]!.value);
    expect(badRecord.errors).toEqual(answer.rejected[0]!.errors);
    // A retry of the batch finds the good event landed, not stuck in a reservation.
    expect(await ingest.ingest([good], context)).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  // The reason label was read back from the first error's text, so each of these got another's label.
  it.each([
    ['a top-level key that reads "unknown schema"', { 'unknown schema': 1 }, 'invalid_envelope'],
    ['a top-level key that reads "nested deeper"', { 'nested deeper': 1 }, 'invalid_envelope'],
    ['an app id that is no string (an error at /app/id)', { app: { id: 5, platform: 'srv' } }, 'invalid_envelope'],
    ['an entity without data (an error under /entities/)', { entities: [{ schema: CLICK }] }, 'invalid_envelope'],
    ['event data that breaks its schema', { event: { schema: CLICK, data: {} } }, 'invalid_data'],
    ['an event schema the registry does not hold', { event: { schema: 'iglu:com.acme/click/jsonschema/9-0-0', data: {} } }, 'unknown_schema'],
    ['another app than the write key names', { app: { id: 'other', platform: 'srv' } }, 'app_mismatch'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>, 'unsafe_shape'],
  ])('labels a rejection by where it failed, not by its text: %s', async (_, patch, reason) => {
    const { ingest, context, metrics } = setup();
    const event = { ...envelope(), ...patch };
    expect(await ingest.ingest([event], context)).toMatchObject({ accepted: 0, rejected: [{}] });
    const rejected = (await metrics.events.get()).values.filter((v) => v.labels.outcome === 'rejected');
    expect(rejected.map((v) => [v.labels.reason, v.value])).toEqual([[reason, 1]]);
  });
});
