import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWarehouse } from '../src/internal/load/load-warehouse.js';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { rawStoreSource } from '../src/internal/source/raw-store-source.js';
import { openDuckDbTarget } from '../src/internal/target/duckdb-target.js';
import type { Target } from '../src/internal/target/target.js';
import { eventId, goodLine, query, Scratch } from './store-fixture.js';

// The DuckDB target reads lines in SQL (prepareLines) and hands what it cannot place exactly to the
// JS path. These tests load one store both ways and ask for the same tables, row for row.

const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';
const USER = 'iglu:com.acme/user/jsonschema/1-0-0';
const id = eventId;
const NOW = Date.parse('2026-12-08T00:00:00.000Z');
const clock = { now: () => NOW, sleep: () => Promise.resolve() };

let scratch: Scratch;
beforeEach(() => {
  scratch = new Scratch();
  scratch.schema(
    'com.acme',
    'signup',
    '1-0-0',
    {
      plan: { type: 'string' },
      email: { type: 'string', 'x-pii': 'hash' },
      seats: { type: 'integer' },
      score: { type: 'number' },
      trial: { type: 'boolean' },
      at: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' },
      tags: { type: 'array', items: { type: 'string' } },
      meta: { type: 'object' },
    },
    { 'x-tracklane': { kind: 'event' } },
  );
  scratch.schema('com.acme', 'user', '1-0-0', { userId: { type: 'string' }, age: { type: 'integer' } }, { 'x-tracklane': { kind: 'entity' } });
});
afterEach(() => scratch.remove());

/** Loads the scratch store into `file`, through the fast path or (`js`) the JS path alone; the events the fast path wrote. */
async function loadInto(file: string, path: 'fast' | 'js', batchSize = 1000): Promise<{ events: number; fast: number }> {
  const opened = await openDuckDbTarget({ file });
  let fast = 0;
  const target: Target =
    path === 'js'
      ? { ...opened, prepareLines: undefined }
      : {
          ...opened,
          prepareLines: async (lines, plan) => {
            const batch = await opened.prepareLines!(lines, plan);
            fast += batch.prepared?.events ?? 0;
            return batch;
          },
        };
  try {
    const summary = await loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target, model: deriveModel(loadSchemas(scratch.schemas)), clock, batchSize });
    return { events: summary.events, fast };
  } finally {
    await opened.close();
  }
}

/** Every table the loader writes, as JSON rows in a stable order. */
async function tables(file: string): Promise<Record<string, unknown>> {
  return {
    events: await query(file, 'SELECT * FROM events ORDER BY event_id'),
    signup: await query(file, 'SELECT * FROM com_acme_signup_1 ORDER BY event_id'),
    user: await query(file, 'SELECT * FROM com_acme_user_1 ORDER BY event_id, position'),
    quarantine: await query(file, 'SELECT * EXCLUDE (source) FROM quarantine ORDER BY source_key, source_offset'),
    manifest: await query(file, 'SELECT * EXCLUDE (source) FROM _tracklane_manifest ORDER BY key'),
  };
}

const line = (n: number, data: Record<string, unknown>, more: Partial<Parameters<typeof goodLine>[0]> = {}): string => goodLine({ id: id(n), schema: SIGNUP, data, entities: [{ schema: USER, data: { userId: `u${n}`, age: n } }], ...more });

/** A line with its envelope changed by `change`. */
const edited = (text: string, change: (record: { receivedAt: string; envelope: Record<string, unknown> & { ts: Record<string, unknown> } }) => void): string => {
  const record = JSON.parse(text) as Parameters<typeof change>[0];
  change(record);
  return JSON.stringify(record);
};

describe('the DuckDB fast path', { timeout: 60_000 }, () => {
  it('gives the tables the JS path gives, for plain lines and for every kind of awkward one', async () => {
    scratch.append('good/date=2026-12-07/hour=10/part-a.jsonl', [
      line(1, { plan: 'pro', email: 'h'.repeat(64), seats: 3, score: 1.5, trial: true, at: '2026-12-07T09:00:00.123Z', day: '2026-12-07', tags: [], meta: { a: [1, { b: null }] } }),
      line(2, { plan: null, seats: null, tags: null, meta: null }),
      line(3, { plan: 'caf\u00e9 "quoted" \\ \n', email: 12345 }),
      line(4, { plan: 5 }),
      line(5, { seats: 2 ** 60 }),
      line(6, { seats: 3.0, score: 7 }),
      line(7, { score: 1e308, at: '2026-12-07 09:00:00Z', day: '2026-02-30' }),
      line(8, { at: '2026-12-07T24:00:00Z' }),
      line(9, { tags: ['a', 'b'] }),
      line(10, { tags: ['a', 1] }),
      line(11, { trial: 'yes' }),
      line(12, { plan: 'x' }, { created: '2026-12-07T11:59:59.000+02:00' }),
      line(13, { plan: 'x' }, { created: '2026-12-07 09:59:59.000Z' }),
      edited(line(14, { plan: 'x' }), (r) => (r.envelope.entities = null)),
      edited(line(15, { plan: 'x' }), (r) => (r.envelope.entities = [null])),
      edited(line(16, { plan: 'x' }), (r) => (r.envelope.app = null)),
      edited(line(17, { plan: 'x' }), (r) => (r.envelope.ts.true = '2026-12-06T08:00:00.000Z')),
      edited(line(18, { plan: 'x' }), (r) => (r.envelope.user = { sessionIndex: 2 ** 60, userId: 7 })),
      edited(line(19, { plan: 'x' }), (r) => ((r.envelope.event as Record<string, unknown>).data = ['not', 'an', 'object'])),
      edited(line(20, { plan: 'x' }), (r) => ((r.envelope.event as Record<string, unknown>).schema = 'iglu:com.acme/nope/jsonschema/1-0-0')),
      edited(line(21, { plan: 'x' }), (r) => (r.envelope.ts.sent = 'yesterday')),
      edited(line(22, { plan: 'x' }), (r) => (r.receivedAt = '2026-12-07T10:00:00')),
      '{"receivedAt": "2026-12-07T10:00:00.000Z", "envelope": {"id": ',
      '[1, 2, 3]',
      '"a string"',
      // One id three times in the batch, the earliest landing with a bad device time.
      line(23, { plan: 'late' }, { receivedAt: '2026-12-07T10:00:09.000Z' }),
      edited(line(23, { plan: 'early' }, { receivedAt: '2026-12-07T10:00:01.000Z' }), (r) => (r.envelope.ts.sent = 'soon')),
      line(23, { plan: 'middle' }, { receivedAt: '2026-12-07T10:00:05.000Z' }),
      line(24, { plan: 'x' }, { schema: 'iglu:com.acme/signup/jsonschema/1-0-0', entities: [{ schema: USER, data: { userId: 'u', age: 'old' } }] }),
    ]);
    scratch.append('bad/p/part-a.jsonl', [JSON.stringify({ receivedAt: '2026-12-07T10:00:00.000Z', errors: ['/event/data/plan: must be string'], payload: { id: id(90), event: { schema: SIGNUP } } })]);
    // A second batch: ids loaded in the first, landed again earlier (the earliest collector time wins) and later.
    scratch.append('good/date=2026-12-07/hour=11/part-a.jsonl', [
      line(1, { plan: 'pro' }, { receivedAt: '2026-12-07T09:00:00.000Z' }),
      line(2, { plan: 'again' }, { receivedAt: '2026-12-07T11:00:00.000Z' }),
      line(30, { plan: 'new' }),
    ]);

    const fast = await loadInto(`${scratch.dir}/fast.duckdb`, 'fast', 40);
    const js = await loadInto(`${scratch.dir}/js.duckdb`, 'js', 40);
    expect(fast.events).toBe(js.events);
    expect(await tables(`${scratch.dir}/fast.duckdb`)).toEqual(await tables(`${scratch.dir}/js.duckdb`));
    // Some went the fast way (nulls, a null app, a caller's time, integral numbers), the rest the JS way.
    expect(fast.fast).toBeGreaterThanOrEqual(4);
  });

  it('loads plain lines entirely in SQL, in batches, and a second load of the same store adds nothing', async () => {
    scratch.append(
      'good/date=2026-12-07/hour=10/part-a.jsonl',
      Array.from({ length: 250 }, (_, n) => line(n + 1, { plan: ['free', 'pro'][n % 2], seats: n, score: n / 4, trial: n % 3 === 0, at: '2026-12-07T09:00:00Z', day: '2026-12-07' })),
    );
    const first = await loadInto(scratch.db, 'fast', 100);
    expect(first).toEqual({ events: 250, fast: 250 });
    const again = await loadInto(scratch.db, 'fast', 100);
    expect(again).toEqual({ events: 0, fast: 0 });
    scratch.append('good/date=2026-12-07/hour=10/part-b.jsonl', [line(1, { plan: 'replayed' }, { receivedAt: '2026-12-07T11:00:00.000Z' })]);
    const replay = await loadInto(scratch.db, 'fast', 100);
    expect(replay).toEqual({ events: 1, fast: 0 });
    expect(await query(scratch.db, 'SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS ids FROM events')).toEqual([{ n: 250, ids: 250 }]);
    expect(await query(scratch.db, 'SELECT count(*)::INTEGER AS n FROM com_acme_user_1')).toEqual([{ n: 250 }]);
    expect(await query(scratch.db, "SELECT plan FROM com_acme_signup_1 WHERE event_id = '00000000-0000-7000-8000-000000000001'")).toEqual([{ plan: 'free' }]);
  });
});
