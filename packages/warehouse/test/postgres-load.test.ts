// The raw store into a real PostgreSQL server (test/postgres/start.sh): the same shapes as the
// DuckDB tests of load.test.ts, queried back with PostgreSQL's own catalog.
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deriveModel } from '../src/internal/model/derive-model.js';
import { loadSchemas } from '../src/internal/model/load-schemas.js';
import { loadWarehouse, type LoadSummary } from '../src/internal/load/load-warehouse.js';
import { rawStoreSource } from '../src/internal/source/raw-store-source.js';
import { openPostgresTarget } from '../src/internal/target/postgres-target.js';
import { pgQuery, postgresForThisFile } from './postgres-server.js';
import { goodLine, Scratch } from './store-fixture.js';

const server = postgresForThisFile();

let scratch: Scratch;
let url: string;
beforeEach(async () => {
  scratch = new Scratch();
  url = await server().createDatabase(server().freshName('load'));
  scratch.schema('com.acme', 'signup', '1-0-0', { plan: { type: 'string', description: 'The plan.' }, email: { type: 'string', 'x-pii': 'hash', description: 'Email.' } }, { 'x-tracklane': { kind: 'event' } });
  scratch.schema('com.acme', 'user', '1-0-0', { userId: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, scores: { type: 'array', items: { type: 'integer' } }, address: { type: 'object' } }, { 'x-tracklane': { kind: 'entity' } });
});
afterEach(() => scratch.remove());

async function load(options: { batchSize?: number } = {}): Promise<LoadSummary> {
  const target = await openPostgresTarget({ url });
  try {
    return await loadWarehouse({ source: rawStoreSource({ dir: scratch.store }), target, model: deriveModel(loadSchemas(scratch.schemas)), ...options });
  } finally {
    await target.close();
  }
}

const q = (sql: string): Promise<Record<string, unknown>[]> => pgQuery(url, sql);
const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-0';
const USER = 'iglu:com.acme/user/jsonschema/1-0-0';
const id = (n: number): string => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const columnsOf = (table: string) =>
  q(`SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = '${table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`);

describe('loading the raw store into PostgreSQL', () => {
  it('events, event data and entities land in their tables (lists as arrays, objects as jsonb, comments from the schemas)', async () => {
    scratch.append('good/date=2026-12-07/hour=10/part-a.jsonl', [
      goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro\ttab "quoted" \\ back\nslash', email: 'a'.repeat(64) }, entities: [{ schema: USER, data: { userId: 'u1', tags: ['x', 'y\n', 'a,"b"\\{c}\u0000', null], scores: [3, 1, 2], address: { city: 'Lyon', nul: 'a\u0000b' } } }, { schema: USER, data: { userId: 'u2', tags: [] } }] }),
      goodLine({ id: id(2), schema: SIGNUP, data: { plan: 'free' } }),
    ]);
    expect(await load()).toMatchObject({ lines: 2, events: 2, quarantined: 0 });
    expect(await q(`SELECT event_id, app_id, platform, event_vendor, event_name, event_version, session_id, consent_purposes->>'analytics' AS analytics, collector_tstamp::text AS ct, event_date::text AS d FROM events ORDER BY event_id`)).toEqual([
      { event_id: id(1), app_id: 'shop', platform: 'web', event_vendor: 'com.acme', event_name: 'signup', event_version: '1-0-0', session_id: 's-1', analytics: 'granted', ct: '2026-12-07 10:00:00+00', d: '2026-12-07' },
      { event_id: id(2), app_id: 'shop', platform: 'web', event_vendor: 'com.acme', event_name: 'signup', event_version: '1-0-0', session_id: 's-1', analytics: 'granted', ct: '2026-12-07 10:00:00+00', d: '2026-12-07' },
    ]);
    expect(await q('SELECT event_id, schema_version, plan, email FROM com_acme_signup_1 ORDER BY event_id')).toEqual([
      { event_id: id(1), schema_version: '1-0-0', plan: 'pro\ttab "quoted" \\ back\nslash', email: 'a'.repeat(64) },
      { event_id: id(2), schema_version: '1-0-0', plan: 'free', email: null },
    ]);
    // U+0000 has no place in PostgreSQL text or jsonb: it is stored as U+FFFD.
    expect(await q(`SELECT event_id, position, user_id, tags, scores, address->>'city' AS city, address->>'nul' AS nul FROM com_acme_user_1 ORDER BY position`)).toEqual([
      { event_id: id(1), position: 0, user_id: 'u1', tags: ['x', 'y\n', 'a,"b"\\{c}\uFFFD', null], scores: ['3', '1', '2'], city: 'Lyon', nul: 'a\uFFFDb' },
      { event_id: id(1), position: 1, user_id: 'u2', tags: [], scores: null, city: null, nul: null },
    ]);
    expect(await columnsOf('com_acme_user_1')).toEqual([
      { name: 'event_id', type: 'text' },
      { name: 'position', type: 'integer' },
      { name: 'schema_version', type: 'text' },
      { name: 'user_id', type: 'text' },
      { name: 'tags', type: 'text[]' },
      { name: 'scores', type: 'bigint[]' },
      { name: 'address', type: 'jsonb' },
    ]);
    expect(await q(`SELECT a.attname AS name, col_description(a.attrelid, a.attnum) AS comment FROM pg_attribute a WHERE a.attrelid = 'com_acme_signup_1'::regclass AND a.attname IN ('plan', 'email') ORDER BY a.attname`)).toEqual([
      { name: 'email', comment: 'Email. [x-pii: hash]' },
      { name: 'plan', comment: 'The plan.' },
    ]);
  });

  it('loading twice, a replay and two collectors landing one event give one row; the earliest collector time wins', async () => {
    const line = (receivedAt: string, plan = 'pro') => goodLine({ id: id(1), schema: SIGNUP, data: { plan }, receivedAt, entities: [{ schema: USER, data: { userId: 'u1' } }] });
    scratch.append('good/date=2026-12-07/hour=10/part-a.jsonl', [line('2026-12-07T10:00:05.000Z'), goodLine({ id: id(2), schema: SIGNUP, data: { plan: 'free' } })]);
    await load();
    expect(await load()).toMatchObject({ lines: 0 });
    // A replay lands the event again later; a second collector landed it earlier; both in one batch and across batches.
    scratch.append('good/date=2026-12-07/hour=11/part-a.jsonl', [line('2026-12-07T11:00:00.000Z')]);
    scratch.append('good/date=2026-12-07/hour=10/part-b.jsonl', [line('2026-12-07T10:00:01.000Z'), line('2026-12-07T10:00:03.000Z')]);
    expect(await load({ batchSize: 2 })).toMatchObject({ lines: 3, quarantined: 0 });
    expect(await q(`SELECT event_id, collector_tstamp::text AS t FROM events ORDER BY event_id`)).toEqual([
      { event_id: id(1), t: '2026-12-07 10:00:01+00' },
      { event_id: id(2), t: '2026-12-07 10:00:00+00' },
    ]);
    expect(await q('SELECT count(*)::int AS n FROM com_acme_signup_1')).toEqual([{ n: 2 }]);
    expect(await q('SELECT count(*)::int AS n FROM com_acme_user_1')).toEqual([{ n: 1 }]);
  });

  it('another loader committing one of the ids between the check for known ids and the COPY: the batch is written again through the upsert, the earliest collector time wins', async () => {
    scratch.append('good/date=2026-12-07/hour=09/part-a.jsonl', [goodLine({ id: id(9), schema: SIGNUP, data: { plan: 'seed' } })]);
    await load();
    scratch.append('good/date=2026-12-07/hour=10/part-a.jsonl', [
      goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'ours' }, receivedAt: '2026-12-07T10:00:01.000Z', entities: [{ schema: USER, data: { userId: 'u1' } }] }),
      goodLine({ id: id(2), schema: SIGNUP, data: { plan: 'free' } }),
    ]);
    // The other loader's row of id 1 (landed later than ours), uncommitted: the check does not see
    // it, and the COPY of id 1 waits for its transaction.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO events SELECT (jsonb_populate_record(NULL::events, to_jsonb(e) || jsonb_build_object('event_id', $1::text, 'collector_tstamp', '2026-12-07T10:00:05Z'))).* FROM events e WHERE event_id = $2`, [id(1), id(9)]);
      await other.query(`INSERT INTO com_acme_signup_1 (event_id, schema_version, plan) VALUES ($1, '1-0-0', 'theirs')`, [id(1)]);
      const loading = load();
      await vi.waitFor(async () => expect(await q(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'tracklane-warehouse' AND wait_event = 'transactionid'`)).toEqual([{ n: 1 }]), { timeout: 10_000, interval: 20 });
      await other.query('COMMIT');
      expect(await loading).toMatchObject({ lines: 2, events: 2, quarantined: 0 });
    } finally {
      await other.end();
    }
    expect(await q(`SELECT event_id, collector_tstamp::text AS t FROM events WHERE event_id IN ('${id(1)}', '${id(2)}') ORDER BY event_id`)).toEqual([
      { event_id: id(1), t: '2026-12-07 10:00:01+00' },
      { event_id: id(2), t: '2026-12-07 10:00:00+00' },
    ]);
    // The data rows of id 1 are the other loader's: only the first row of an id in `events` writes them.
    expect(await q('SELECT event_id, plan FROM com_acme_signup_1 ORDER BY event_id')).toEqual([
      { event_id: id(1), plan: 'theirs' },
      { event_id: id(2), plan: 'free' },
      { event_id: id(9), plan: 'seed' },
    ]);
    expect(await q('SELECT count(*)::int AS n FROM com_acme_user_1')).toEqual([{ n: 0 }]);
  });

  it('1-0-0, 1-0-1 and 1-1-0 of one MODEL land in one table; an ADDITION published later adds a column; a new MODEL is a new table', async () => {
    scratch.append('good/p/part-a.jsonl', [goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro' } })]);
    await load();
    scratch.schema('com.acme', 'signup', '1-0-1', { plan: { type: 'string' }, email: { type: 'string', 'x-pii': 'hash' }, referrer: { type: 'string' } });
    scratch.schema('com.acme', 'signup', '1-1-0', { plan: { type: 'string' }, email: { type: 'string', 'x-pii': 'hash' }, referrer: { type: 'string' }, seats: { type: 'integer' }, at: { type: 'string', format: 'date-time' } });
    scratch.schema('com.acme', 'signup', '2-0-0', { plan: { type: 'integer' } });
    scratch.append('good/p/part-a.jsonl', [
      goodLine({ id: id(2), schema: 'iglu:com.acme/signup/jsonschema/1-0-1', data: { plan: 'free', referrer: 'ad' } }),
      goodLine({ id: id(3), schema: 'iglu:com.acme/signup/jsonschema/1-1-0', data: { plan: 'team', seats: 5, at: '2026-12-07T11:30:00+01:00' } }),
      goodLine({ id: id(4), schema: 'iglu:com.acme/signup/jsonschema/2-0-0', data: { plan: 3 } }),
    ]);
    expect(await load()).toMatchObject({ lines: 3, events: 3, quarantined: 0 });
    expect(await columnsOf('com_acme_signup_1')).toEqual([
      { name: 'event_id', type: 'text' },
      { name: 'schema_version', type: 'text' },
      { name: 'plan', type: 'text' },
      { name: 'email', type: 'text' },
      { name: 'referrer', type: 'text' },
      { name: 'seats', type: 'bigint' },
      { name: 'at', type: 'timestamp with time zone' },
    ]);
    expect(await q('SELECT schema_version, plan, referrer, seats::int AS seats, at::text AS at FROM com_acme_signup_1 ORDER BY event_id')).toEqual([
      { schema_version: '1-0-0', plan: 'pro', referrer: null, seats: null, at: null },
      { schema_version: '1-0-1', plan: 'free', referrer: 'ad', seats: null, at: null },
      { schema_version: '1-1-0', plan: 'team', referrer: null, seats: 5, at: '2026-12-07 10:30:00+00' },
    ]);
    expect(await q('SELECT schema_version, plan::int AS plan FROM com_acme_signup_2')).toEqual([{ schema_version: '2-0-0', plan: 3 }]);
    expect(await columnsOf('com_acme_signup_2')).toEqual([
      { name: 'event_id', type: 'text' },
      { name: 'schema_version', type: 'text' },
      { name: 'plan', type: 'bigint' },
    ]);
  });

  it('a type change inside a MODEL, an unknown schema, an unreadable line, a value that does not fit and the bad store go to quarantine; the rest loads', async () => {
    scratch.schema('com.acme', 'signup', '1-0-1', { plan: { type: 'integer' } });
    scratch.append('good/p/part-a.jsonl', [
      goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro' } }),
      goodLine({ id: id(2), schema: 'iglu:com.acme/signup/jsonschema/1-0-1', data: { plan: 3 } }),
      goodLine({ id: id(3), schema: 'iglu:com.acme/nope/jsonschema/1-0-0', data: {} }),
      '{"receivedAt": "2026-12-07T10:00:00.000Z", "envelope": {"id": "torn\u0000',
      goodLine({ id: id(5), schema: SIGNUP, data: { plan: 42 } }),
      goodLine({ id: id(7), schema: SIGNUP, data: { plan: 'team' } }),
    ]);
    scratch.append('bad/p/part-a.jsonl', [JSON.stringify({ receivedAt: '2026-12-07T10:00:00.000Z', errors: ['/event/data/plan: must be string'], payload: { id: id(8), event: { schema: SIGNUP } } })]);
    expect(await load()).toMatchObject({ lines: 7, events: 2, quarantined: 5 });
    expect(await q('SELECT event_id FROM events ORDER BY event_id')).toEqual([{ event_id: id(1) }, { event_id: id(7) }]);
    expect(await q('SELECT kind, reason, event_id, errors FROM quarantine ORDER BY source_key, source_offset')).toEqual([
      { kind: 'bad', reason: 'COLLECTOR_REJECTED', event_id: id(8), errors: ['/event/data/plan: must be string'] },
      { kind: 'good', reason: 'TYPE_CHANGE', event_id: id(2), errors: ['event (iglu:com.acme/signup/jsonschema/1-0-1): /properties/plan is BIGINT in 1-0-1; the column plan is VARCHAR (since 1-0-0): a type change inside MODEL 1'] },
      { kind: 'good', reason: 'UNKNOWN_SCHEMA', event_id: id(3), errors: [`event: unknown schema "iglu:com.acme/nope/jsonschema/1-0-0": the loader's --schemas has no such version`] },
      { kind: 'good', reason: 'UNREADABLE_LINE', event_id: null, errors: [expect.stringMatching(/^not JSON: /)] },
      { kind: 'good', reason: 'VALUE_MISMATCH', event_id: id(5), errors: ['event (iglu:com.acme/signup/jsonschema/1-0-0): com_acme_signup_1.plan: 42 is not a VARCHAR'] },
    ]);
    expect(await q(`SELECT record FROM quarantine WHERE reason = 'UNREADABLE_LINE'`)).toEqual([{ record: '{"receivedAt": "2026-12-07T10:00:00.000Z", "envelope": {"id": "torn\uFFFD' }]);
    // Quarantine is loaded once too.
    expect(await load()).toMatchObject({ lines: 0 });
    expect(await q('SELECT count(*)::int AS n FROM quarantine')).toEqual([{ n: 5 }]);
  });

  it('a column created with another type wins over the model: values that do not fit it go to quarantine', async () => {
    await pgQuery(url, 'CREATE TABLE com_acme_signup_1 (event_id text NOT NULL PRIMARY KEY, schema_version text NOT NULL, plan bigint)');
    scratch.append('good/p/part-a.jsonl', [goodLine({ id: id(1), schema: SIGNUP, data: { plan: 'pro' } }), goodLine({ id: id(2), schema: SIGNUP, data: {} })]);
    expect(await load()).toMatchObject({ lines: 2, events: 1, quarantined: 1 });
    expect(await q('SELECT reason, errors FROM quarantine')).toEqual([{ reason: 'VALUE_MISMATCH', errors: ['event (iglu:com.acme/signup/jsonschema/1-0-0): com_acme_signup_1.plan: "pro" is not a BIGINT'] }]);
    expect(await q('SELECT event_id, plan, email FROM com_acme_signup_1')).toEqual([{ event_id: id(2), plan: null, email: null }]);
  });

  it('batches of a few lines commit one after another and give the same tables', async () => {
    scratch.append('good/p/part-a.jsonl', Array.from({ length: 25 }, (_, i) => goodLine({ id: id(i), schema: SIGNUP, data: { plan: `p${i}` } })));
    expect(await load({ batchSize: 4 })).toMatchObject({ lines: 25, batches: 7 });
    expect(await q('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM events')).toEqual([{ n: 25, d: 25 }]);
    expect(await q('SELECT count(*)::int AS n FROM com_acme_signup_1')).toEqual([{ n: 25 }]);
  });
});
