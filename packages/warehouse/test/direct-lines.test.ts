// DuckDB converts most events from their stored lines itself (read_json, json_transform); the
// loader stages the others value by value. Both must give the same tables: one awkward store is
// loaded both ways and every table compared row by row.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWarehouse } from '../src/internal/load/load-warehouse.js';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { rawStoreSource } from '../src/internal/source/raw-store-source.js';
import { openDuckDbTarget } from '../src/internal/target/duckdb-target.js';
import type { LoadBatch } from '../src/internal/target/target.js';
import { eventId as id, goodLine, query, Scratch } from './store-fixture.js';

let scratch: Scratch;
beforeEach(() => {
  scratch = new Scratch();
  scratch.schema('com.acme', 'order', '1-0-0', {
    note: { type: 'string' },
    count: { type: 'integer' },
    price: { type: 'number' },
    paid: { type: 'boolean' },
    at: { type: 'string', format: 'date-time' },
    day: { type: 'string', format: 'date' },
    meta: { type: 'object' },
    tags: { type: 'array', items: { type: 'string' } },
    sizes: { type: 'array', items: { type: 'integer' } },
    weights: { type: 'array', items: { type: 'number' } },
    flags: { type: 'array', items: { type: 'boolean' } },
    email: { type: 'string', 'x-pii': 'hash' },
    'odd key "q"': { type: 'string' },
  }, { 'x-tracklane': { kind: 'event' } });
  scratch.schema('com.acme', 'order', '1-0-1', { note: { type: 'string' }, extra: { type: 'string' } }, { 'x-tracklane': { kind: 'event' } });
  scratch.schema('com.acme', 'item', '1-0-0', { sku: { type: 'string' }, qty: { type: 'integer' } }, { 'x-tracklane': { kind: 'entity' } });
  scratch.schema('com.acme', 'user', '1-0-0', { userId: { type: 'string' } }, { 'x-tracklane': { kind: 'entity' } });
});
afterEach(() => scratch.remove());

const ORDER = 'iglu:com.acme/order/jsonschema/1-0-0';
const ORDER_101 = 'iglu:com.acme/order/jsonschema/1-0-1';
const ITEM = 'iglu:com.acme/item/jsonschema/1-0-0';
const USER = 'iglu:com.acme/user/jsonschema/1-0-0';

/** A line with its envelope changed by `edit` (fields goodLine does not set). */
function edited(line: string, edit: (record: { receivedAt: string; envelope: Record<string, unknown> }) => void): string {
  const record = JSON.parse(line) as { receivedAt: string; envelope: Record<string, unknown> };
  edit(record);
  return JSON.stringify(record);
}

function awkwardStore(): void {
  const full = { note: 'plain', count: 3, price: 9.99, paid: true, at: '2026-12-07T10:00:00.123Z', day: '2026-12-07', meta: { a: [1, { b: null }], 'é': 'ü' }, tags: ['x', 'y'], sizes: [1, 2], weights: [0.1, 1e-7], flags: [true, false], email: 'f'.repeat(64), 'odd key "q"': 'q' };
  scratch.append('good/date=2026-12-07/hour=10/part-a.jsonl', [
    goodLine({ id: id(1), schema: ORDER, data: full, entities: [{ schema: ITEM, data: { sku: 'a', qty: 1 } }, { schema: USER, data: { userId: 'u1' } }, { schema: ITEM, data: { sku: 'b' } }] }),
    // Offsets, nine fraction digits, a time in data and in the envelope.
    goodLine({ id: id(2), schema: ORDER, data: { at: '2026-12-07T12:00:00.123456789+02:00', day: '2024-02-29' }, created: '2026-12-06T23:30:00-01:00' }),
    // Spellings DuckDB's reader does not take: staged.
    goodLine({ id: id(3), schema: ORDER, data: { at: '2026-12-07t10:00:00z' }, created: '2026-12-07T11:59:59+02' }),
    // Past 2^53, a lenient column's number, -0: staged.
    goodLine({ id: id(4), schema: ORDER, data: { count: 2 ** 60, email: 12345 } }),
    goodLine({ id: id(14), schema: ORDER, data: { price: -0, weights: [-1.5e-300, 1.7976931348623157e308] } }),
    // Text with quotes, escapes, newlines, tabs, emoji and lone surrogates as the collector writes them.
    goodLine({ id: id(5), schema: ORDER, data: { note: 'a "q" \\ b\n\tc 😀 \u2028', tags: ['', ' ', '"'], meta: { s: 'x\ny' } } }),
    // Nulls and absent objects.
    edited(goodLine({ id: id(6), schema: ORDER, data: { note: null, tags: null, meta: null } }), (r) => {
      delete r.envelope.user;
      delete r.envelope.consent;
      r.envelope.page = { url: null, title: 'T' };
      r.envelope.device = { screen: '1x1' };
      (r.envelope.ts as Record<string, unknown>).true = '2026-12-01T00:00:00.000Z';
    }),
    // Another version of the MODEL, no entities, empty entities.
    goodLine({ id: id(7), schema: ORDER_101, data: { note: 'v101', extra: 'e' } }),
    goodLine({ id: id(8), schema: ORDER, data: {}, entities: [] }),
    // Data that is not an object: staged (as no fields).
    edited(goodLine({ id: id(9), schema: ORDER, data: {} }), (r) => {
      (r.envelope.event as Record<string, unknown>).data = 'nope';
    }),
    // Refused both ways: an unknown schema, a value that does not fit.
    goodLine({ id: id(10), schema: 'iglu:com.acme/nope/jsonschema/1-0-0', data: {} }),
    goodLine({ id: id(11), schema: ORDER, data: { count: 'three' } }),
    // One id twice in the batch: the earlier collector time wins.
    goodLine({ id: id(12), schema: ORDER, data: { note: 'later' }, receivedAt: '2026-12-07T10:00:09.000Z' }),
    goodLine({ id: id(12), schema: ORDER, data: { note: 'earlier' }, receivedAt: '2026-12-07T10:00:01.000Z' }),
    goodLine({ id: id(13), schema: ORDER, data: { note: 'first landing' }, receivedAt: '2026-12-07T10:00:05.000Z', entities: [{ schema: USER, data: { userId: 'u13' } }] }),
  ]);
  // Landed again in a later file with an earlier collector time (another collector): it wins in `events`.
  scratch.append('good/date=2026-12-07/hour=11/part-b.jsonl', [
    goodLine({ id: id(13), schema: ORDER, data: { note: 'second landing' }, receivedAt: '2026-12-07T10:00:02.000Z', entities: [{ schema: USER, data: { userId: 'u13' } }] }),
    goodLine({ id: id(1), schema: ORDER, data: full, receivedAt: '2026-12-07T10:00:00.000Z' }),
  ]);
}

/** Loads the scratch store into `file`, in batches of `batchSize`; how many events each path took. */
async function loadInto(file: string, convertLines: boolean, batchSize: number): Promise<{ direct: number; staged: number }> {
  const target = await openDuckDbTarget({ file, convertLines });
  const counts = { direct: 0, staged: 0 };
  const apply = target.apply.bind(target);
  target.apply = (source, batch: LoadBatch, positions) => {
    counts.direct += batch.direct?.length ?? 0;
    counts.staged += batch.events.length;
    return apply(source, batch, positions);
  };
  try {
    await loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target, model: deriveModel(loadSchemas(scratch.schemas)), batchSize });
  } finally {
    await target.close();
  }
  return counts;
}

/** Every table but the manifest, each row as JSON without its load time, sorted. */
async function tables(file: string): Promise<Record<string, string[]>> {
  const names = (await query(file, `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name <> '_tracklane_manifest' ORDER BY table_name`)).map((r) => r.table_name as string);
  const out: Record<string, string[]> = {};
  for (const name of names) {
    const rows = await query(file, `SELECT * EXCLUDE (load_tstamp) FROM "${name}"`).catch(() => query(file, `SELECT * FROM "${name}"`));
    out[name] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return out;
}

describe('DuckDB converting stored lines itself', { timeout: 60_000 }, () => {
  it.each([1000, 3])('gives the same tables, row by row, as staging every value (batches of %i lines)', async (batchSize) => {
    awkwardStore();
    const direct = `${scratch.dir}/direct.duckdb`;
    const staged = `${scratch.dir}/staged.duckdb`;
    const viaLines = await loadInto(direct, true, batchSize);
    const viaStages = await loadInto(staged, false, batchSize);
    // Both paths ran: the events DuckDB can read, and the awkward ones staged.
    expect(viaLines.direct).toBeGreaterThanOrEqual(7);
    expect(viaLines.staged).toBeGreaterThanOrEqual(3);
    expect(viaStages.direct).toBe(0);
    const expected = await tables(staged);
    expect(expected.events).toHaveLength(12);
    expect(expected.quarantine).toHaveLength(2);
    expect(await tables(direct)).toEqual(expected);
  });
});
